// AssemblyScript (see ./index.ts): elementwise kernels, four values at a time: exact (erf) GELU with its
// gradient, the lerp of the optimizer's moments and the EMA, and AdamW's write of one parameter.

// erf as tfjs computes it (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7; ../erf.ts)
const ERF_P: f32 = 0.3275911;
const A1: f32 = 0.254829592;
const A2: f32 = -0.284496736;
const A3: f32 = 1.421413741;
const A4: f32 = -1.453152027;
const A5: f32 = 1.061405429;
const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693359375; // ln 2 in two parts, so that n * LN2_HI is exact
const LN2_LO: f32 = -2.1219444e-4;
const ROUND_MAGIC: f32 = 12582912; // 1.5 * 2^23
const ROUND_MAGIC_BITS: i32 = 0x4b400000; // its bits

/** e^x: x = n ln2 + r with |r| <= ln2 / 2, e^r by its Taylor series to r^6 (relative error < 2e-7),
 *  2^n written into the exponent bits. x is clamped to [-87, 88], where 2^n stays a normal float. */
function expV(x: v128): v128 {
  // pmin / pmax: one instruction each (min / max order NaNs and signed zeros, several); a NaN stays NaN
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88)), f32x4.splat(-87));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(<f32>1 / 720);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1 / 120));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1 / 24));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1 / 6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  // n as an integer without a saturating conversion (several instructions): n + 1.5 * 2^23 holds n in
  // its low mantissa bits; then n + 127 shifted into the exponent is 2^n
  const nBits = f32x4.add(n, f32x4.splat(ROUND_MAGIC));
  const scale = i32x4.shl(i32x4.sub(nBits, i32x4.splat(ROUND_MAGIC_BITS - 127)), 23); // the bits of 2^n
  return f32x4.mul(p, scale);
}

/** e^(-x^2 / 2): the Gaussian's shape, which Phi's erf needs and GELU's gradient needs again. */
function halfGaussianV(x: v128): v128 {
  return expV(f32x4.mul(f32x4.splat(-0.5), f32x4.mul(x, x)));
}

/** Phi(x) = (1 + erf(x / sqrt 2)) / 2 of four values, given e = e^(-x^2 / 2). With z = |x| / sqrt 2,
 *  erf(z) = 1 - poly(t) t e^(-z^2), t = 1 / (1 + p z), so Phi(x) = q for x < 0 and 1 - q otherwise,
 *  q = poly(t) t e / 2. */
function phiV(x: v128, e: v128): v128 {
  const z = f32x4.mul(f32x4.abs(x), f32x4.splat(0.70710678));
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(ERF_P), z)));
  let poly = f32x4.splat(A5);
  poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(A4));
  poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(A3));
  poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(A2));
  poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(A1));
  const q = f32x4.mul(f32x4.mul(poly, t), f32x4.mul(e, f32x4.splat(0.5)));
  return v128.bitselect(q, f32x4.sub(f32x4.splat(1), q), f32x4.lt(x, f32x4.splat(0)));
}

function geluV(x: v128): v128 {
  return f32x4.mul(x, phiV(x, halfGaussianV(x)));
}

/** out = x Phi(x) over `size` values (the last size % 4 one at a time: nothing past the tensors is read). */
export function gelu(x: usize, out: usize, size: i32): void {
  const size4 = size & ~3;
  for (let i = 0; i < size4; i += 4) {
    const at = <usize>i * 4;
    v128.store(out + at, geluV(v128.load(x + at)));
  }
  for (let i = size4; i < size; i++) {
    const at = <usize>i * 4;
    store<f32>(out + at, f32x4.extract_lane(geluV(f32x4.splat(load<f32>(x + at))), 0));
  }
}

/** out = dy * (Phi(x) + x e^(-x^2 / 2) / sqrt(2 pi)). */
export function geluGrad(x: usize, dy: usize, out: usize, size: i32): void {
  const size4 = size & ~3;
  for (let i = 0; i < size4; i += 4) {
    const at = <usize>i * 4;
    v128.store(out + at, geluGradV(v128.load(x + at), v128.load(dy + at)));
  }
  for (let i = size4; i < size; i++) {
    const at = <usize>i * 4;
    store<f32>(out + at, f32x4.extract_lane(geluGradV(f32x4.splat(load<f32>(x + at)), f32x4.splat(load<f32>(dy + at))), 0));
  }
}

function geluGradV(x: v128, dy: v128): v128 {
  const e = halfGaussianV(x);
  const density = f32x4.mul(e, f32x4.splat(0.39894228));
  return f32x4.mul(dy, f32x4.add(phiV(x, e), f32x4.mul(x, density)));
}

/** out = keep * a + (1 - keep) * (square ? b^2 : b), elementwise over `size` values. */
export function lerp(a: usize, b: usize, out: usize, size: i32, keep: f32, square: i32): void {
  const size4 = size & ~3;
  const keepV = f32x4.splat(keep);
  const restV = f32x4.splat(1 - keep);
  for (let i = 0; i < size4; i += 4) {
    const at = <usize>i * 4;
    let bv = v128.load(b + at);
    if (square) bv = f32x4.mul(bv, bv);
    v128.store(out + at, f32x4.add(f32x4.mul(keepV, v128.load(a + at)), f32x4.mul(restV, bv)));
  }
  for (let i = size4; i < size; i++) {
    const at = <usize>i * 4;
    let bv = load<f32>(b + at);
    if (square) bv = bv * bv;
    store<f32>(out + at, keep * load<f32>(a + at) + (1 - keep) * bv);
  }
}

/** AdamW's new value of one parameter (torch's formula): out = param * decay - stepSize * m / (sqrt(v) /
 *  sqrtBc2 + eps), where m and v point at this parameter's slice of the flat moment vectors. */
export function adamWParam(
  param: usize,
  m: usize,
  v: usize,
  out: usize,
  size: i32,
  decay: f32,
  stepSize: f32,
  sqrtBc2: f32,
  eps: f32,
): void {
  const size4 = size & ~3;
  const decayV = f32x4.splat(decay);
  const stepV = f32x4.splat(stepSize);
  const bcV = f32x4.splat(sqrtBc2);
  const epsV = f32x4.splat(eps);
  for (let i = 0; i < size4; i += 4) {
    const at = <usize>i * 4;
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v128.load(v + at)), bcV), epsV);
    v128.store(out + at, f32x4.sub(f32x4.mul(v128.load(param + at), decayV), f32x4.div(f32x4.mul(stepV, v128.load(m + at)), denom)));
  }
  for (let i = size4; i < size; i++) {
    const at = <usize>i * 4;
    store<f32>(out + at, load<f32>(param + at) * decay - (stepSize * load<f32>(m + at)) / (Mathf.sqrt(load<f32>(v + at)) / sqrtBc2 + eps));
  }
}

/** out[b] = x[b]^T for `batch` row-major [rows, cols] matrices, in 4 x 4 tiles (each tile's 16 reads
 *  and writes stay within four cache lines: a plain loop over a 64 x 64 matrix thrashes the L1 cache,
 *  its 256-byte stride mapping every write to the same few sets). */
export function transpose(x: usize, out: usize, batch: i32, rows: i32, cols: i32): void {
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>(b * rows * cols) * 4;
    const ob = out + <usize>(b * rows * cols) * 4;
    for (let i = 0; i < rows4; i += 4) {
      for (let j = 0; j < cols4; j += 4) {
        const r0 = v128.load(xb + <usize>(i * cols + j) * 4);
        const r1 = v128.load(xb + <usize>((i + 1) * cols + j) * 4);
        const r2 = v128.load(xb + <usize>((i + 2) * cols + j) * 4);
        const r3 = v128.load(xb + <usize>((i + 3) * cols + j) * 4);
        // 4 x 4 transpose in registers: interleave pairs of rows, then pairs of pairs
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        v128.store(ob + <usize>(j * rows + i) * 4, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(ob + <usize>((j + 1) * rows + i) * 4, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(ob + <usize>((j + 2) * rows + i) * 4, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(ob + <usize>((j + 3) * rows + i) * 4, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
      for (let j = cols4; j < cols; j++) {
        for (let ii = i; ii < i + 4; ii++) store<f32>(ob + <usize>(j * rows + ii) * 4, load<f32>(xb + <usize>(ii * cols + j) * 4));
      }
    }
    for (let i = rows4; i < rows; i++) {
      for (let j = 0; j < cols; j++) store<f32>(ob + <usize>(j * rows + i) * 4, load<f32>(xb + <usize>(i * cols + j) * 4));
    }
  }
}
