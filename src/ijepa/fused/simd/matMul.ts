// AssemblyScript (see ./index.ts): the batched matMuls of attention for tfjs' WASM backend, which runs
// every batched or transposed matMul in a scalar loop (docs/TFJS_WEBGPU_NOTES.md).
import { sumLanes } from './rows';

/** out[b] = A[b] @ B[b], with B[b] [k, n] row-major and A[b]'s element (i, kk) at i * aStrideI +
 *  kk * aStrideK (A [m, k] row-major: k, 1; A stored transposed, [k, m]: 1, m). SIMD along n. */
export function matMulRows(a: usize, b: usize, out: usize, batch: i32, m: i32, n: i32, k: i32, aStrideI: i32, aStrideK: i32): void {
  for (let bi = 0; bi < batch; bi++) {
    const aBatch = a + <usize>(bi * m * k) * 4;
    const bBatch = b + <usize>(bi * k * n) * 4;
    const outBatch = out + <usize>(bi * m * n) * 4;
    for (let i = 0; i < m; i++) {
      const aRow = aBatch + <usize>(i * aStrideI) * 4;
      const outRow = outBatch + <usize>(i * n) * 4;
      let j = 0;
      // 16 columns in four registers across the whole sum, then 4, then one at a time
      for (; j + 16 <= n; j += 16) {
        let acc0 = f32x4.splat(0);
        let acc1 = f32x4.splat(0);
        let acc2 = f32x4.splat(0);
        let acc3 = f32x4.splat(0);
        for (let kk = 0; kk < k; kk++) {
          const s = f32x4.splat(load<f32>(aRow + <usize>(kk * aStrideK) * 4));
          const bCols = bBatch + <usize>(kk * n + j) * 4;
          acc0 = f32x4.add(acc0, f32x4.mul(s, v128.load(bCols)));
          acc1 = f32x4.add(acc1, f32x4.mul(s, v128.load(bCols, 16)));
          acc2 = f32x4.add(acc2, f32x4.mul(s, v128.load(bCols, 32)));
          acc3 = f32x4.add(acc3, f32x4.mul(s, v128.load(bCols, 48)));
        }
        const o = outRow + <usize>j * 4;
        v128.store(o, acc0);
        v128.store(o, acc1, 16);
        v128.store(o, acc2, 32);
        v128.store(o, acc3, 48);
      }
      for (; j + 4 <= n; j += 4) {
        let acc = f32x4.splat(0);
        for (let kk = 0; kk < k; kk++) {
          const s = f32x4.splat(load<f32>(aRow + <usize>(kk * aStrideK) * 4));
          acc = f32x4.add(acc, f32x4.mul(s, v128.load(bBatch + <usize>(kk * n + j) * 4)));
        }
        v128.store(outRow + <usize>j * 4, acc);
      }
      for (; j < n; j++) {
        let sum: f32 = 0;
        for (let kk = 0; kk < k; kk++) sum += load<f32>(aRow + <usize>(kk * aStrideK) * 4) * load<f32>(bBatch + <usize>(kk * n + j) * 4);
        store<f32>(outRow + <usize>j * 4, sum);
      }
    }
  }
}

/** out[b] = A[b] @ B[b]^T with A[b] [m, k] and B[b] [n, k], both row-major: dot products of rows,
 *  SIMD along k, four rows of B at a time (each row of A is loaded once per four outputs). */
export function matMulDots(a: usize, b: usize, out: usize, batch: i32, m: i32, n: i32, k: i32): void {
  const k4 = k & ~3;
  for (let bi = 0; bi < batch; bi++) {
    const aBatch = a + <usize>(bi * m * k) * 4;
    const bBatch = b + <usize>(bi * n * k) * 4;
    const outBatch = out + <usize>(bi * m * n) * 4;
    for (let i = 0; i < m; i++) {
      const aRow = aBatch + <usize>(i * k) * 4;
      const outRow = outBatch + <usize>(i * n) * 4;
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const b0 = bBatch + <usize>(j * k) * 4;
        const b1 = b0 + <usize>k * 4;
        const b2 = b1 + <usize>k * 4;
        const b3 = b2 + <usize>k * 4;
        let acc0 = f32x4.splat(0);
        let acc1 = f32x4.splat(0);
        let acc2 = f32x4.splat(0);
        let acc3 = f32x4.splat(0);
        for (let kk = 0; kk < k4; kk += 4) {
          const av = v128.load(aRow + <usize>kk * 4);
          const off = <usize>kk * 4;
          acc0 = f32x4.add(acc0, f32x4.mul(av, v128.load(b0 + off)));
          acc1 = f32x4.add(acc1, f32x4.mul(av, v128.load(b1 + off)));
          acc2 = f32x4.add(acc2, f32x4.mul(av, v128.load(b2 + off)));
          acc3 = f32x4.add(acc3, f32x4.mul(av, v128.load(b3 + off)));
        }
        let s0 = sumLanes(acc0);
        let s1 = sumLanes(acc1);
        let s2 = sumLanes(acc2);
        let s3 = sumLanes(acc3);
        for (let kk = k4; kk < k; kk++) {
          const av = load<f32>(aRow + <usize>kk * 4);
          const off = <usize>kk * 4;
          s0 += av * load<f32>(b0 + off);
          s1 += av * load<f32>(b1 + off);
          s2 += av * load<f32>(b2 + off);
          s3 += av * load<f32>(b3 + off);
        }
        const o = outRow + <usize>j * 4;
        store<f32>(o, s0);
        store<f32>(o, s1, 4);
        store<f32>(o, s2, 8);
        store<f32>(o, s3, 12);
      }
      for (; j < n; j++) {
        const bRow = bBatch + <usize>(j * k) * 4;
        let sum: f32 = 0;
        for (let kk = 0; kk < k; kk++) sum += load<f32>(aRow + <usize>kk * 4) * load<f32>(bRow + <usize>kk * 4);
        store<f32>(outRow + <usize>j * 4, sum);
      }
    }
  }
}
