// AssemblyScript (see ./index.ts): a linear layer's parameter gradients from its input x [rows, m] and its
// output's gradient g [rows, n], without transposing either: the weight's, x^T g [m, n], and the bias',
// the column sums of g [n]. tfjs' WASM backend would transpose x and multiply (XNNPACK packs the whole
// [rows, n] operand as its weights for a 64-row product) and sum the columns in a strided scalar loop.

/** Rows of x and g taken at a time: a chunk of both stays in the cache while every tile of the output
 *  sweeps it (128 rows of a 256-wide g: 128 KB). */
const ROW_CHUNK = 128;

/** out[i, j] (+)= sum over the chunk's rows r of x[r, i] g[r, j], for 4 rows i and 8 columns j. */
function tile4x8(x: usize, g: usize, out: usize, rows: i32, m: i32, n: i32, i: i32, j: i32, accumulate: bool): void {
  const o0 = out + <usize>(i * n + j) * 4;
  const o1 = o0 + <usize>n * 4;
  const o2 = o1 + <usize>n * 4;
  const o3 = o2 + <usize>n * 4;
  let a00 = accumulate ? v128.load(o0) : f32x4.splat(0);
  let a01 = accumulate ? v128.load(o0, 16) : f32x4.splat(0);
  let a10 = accumulate ? v128.load(o1) : f32x4.splat(0);
  let a11 = accumulate ? v128.load(o1, 16) : f32x4.splat(0);
  let a20 = accumulate ? v128.load(o2) : f32x4.splat(0);
  let a21 = accumulate ? v128.load(o2, 16) : f32x4.splat(0);
  let a30 = accumulate ? v128.load(o3) : f32x4.splat(0);
  let a31 = accumulate ? v128.load(o3, 16) : f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>(r * m + i) * 4;
    const gr = g + <usize>(r * n + j) * 4;
    const g0 = v128.load(gr);
    const g1 = v128.load(gr, 16);
    const s0 = f32x4.splat(load<f32>(xr));
    const s1 = f32x4.splat(load<f32>(xr, 4));
    const s2 = f32x4.splat(load<f32>(xr, 8));
    const s3 = f32x4.splat(load<f32>(xr, 12));
    a00 = f32x4.add(a00, f32x4.mul(s0, g0));
    a01 = f32x4.add(a01, f32x4.mul(s0, g1));
    a10 = f32x4.add(a10, f32x4.mul(s1, g0));
    a11 = f32x4.add(a11, f32x4.mul(s1, g1));
    a20 = f32x4.add(a20, f32x4.mul(s2, g0));
    a21 = f32x4.add(a21, f32x4.mul(s2, g1));
    a30 = f32x4.add(a30, f32x4.mul(s3, g0));
    a31 = f32x4.add(a31, f32x4.mul(s3, g1));
  }
  v128.store(o0, a00);
  v128.store(o0, a01, 16);
  v128.store(o1, a10);
  v128.store(o1, a11, 16);
  v128.store(o2, a20);
  v128.store(o2, a21, 16);
  v128.store(o3, a30);
  v128.store(o3, a31, 16);
}

/** The same for one output element (the edges the 4 x 8 tiles leave). */
function element(x: usize, g: usize, out: usize, rows: i32, m: i32, n: i32, i: i32, j: i32, accumulate: bool): void {
  const o = out + <usize>(i * n + j) * 4;
  let sum: f32 = accumulate ? load<f32>(o) : 0;
  for (let r = 0; r < rows; r++) sum += load<f32>(x + <usize>(r * m + i) * 4) * load<f32>(g + <usize>(r * n + j) * 4);
  store<f32>(o, sum);
}

/** out [m, n] = x^T g with x [rows, m] and g [rows, n], both row-major. */
export function matMulTN(x: usize, g: usize, out: usize, rows: i32, m: i32, n: i32): void {
  const m4 = m & ~3;
  const n8 = n & ~7;
  for (let r0 = 0; r0 < rows; r0 += ROW_CHUNK) {
    const chunk = min(ROW_CHUNK, rows - r0);
    const xc = x + <usize>(r0 * m) * 4;
    const gc = g + <usize>(r0 * n) * 4;
    const accumulate = r0 > 0;
    for (let i = 0; i < m4; i += 4) for (let j = 0; j < n8; j += 8) tile4x8(xc, gc, out, chunk, m, n, i, j, accumulate);
    for (let i = 0; i < m; i++) {
      for (let j = i < m4 ? n8 : 0; j < n; j++) element(xc, gc, out, chunk, m, n, i, j, accumulate);
    }
  }
}

/** out [n] = the sum of g's rows, g [rows, n]: SIMD along the row, the output kept in the cache. */
export function sumRows(g: usize, out: usize, rows: i32, n: i32): void {
  const n4 = n & ~3;
  for (let j = 0; j < n; j++) store<f32>(out + <usize>j * 4, 0);
  for (let r = 0; r < rows; r++) {
    const row = g + <usize>(r * n) * 4;
    for (let j = 0; j < n4; j += 4) {
      const o = out + <usize>j * 4;
      v128.store(o, f32x4.add(v128.load(o), v128.load(row + <usize>j * 4)));
    }
    for (let j = n4; j < n; j++) {
      const o = out + <usize>j * 4;
      store<f32>(o, load<f32>(o) + load<f32>(row + <usize>j * 4));
    }
  }
}
