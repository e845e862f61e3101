// The WASM SIMD batched matMul (./wasm.ts) against tfjs' own matMul, in every form it runs, on odd
// sizes (SIMD tails), with its gradient, and without touching any of tfjs' memory but its output; the
// transpose and AdamW's parameter write against what they compute.
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adamWParam,
  batchMatMul,
  FUSED_KERNELS,
  fusedActive,
  gatherRows,
  lastTwoSwapped,
  linearParamGrads,
  tileRows,
  transposeLastTwo,
} from '.';
import { gelu, linear } from '../layers';
import { maxAbsDiff } from '../kernelCheck';
import { startSimdKernels } from './wasm';
import * as tf from '../tf';

const FORMS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
];

describe('SIMD batched matMul on the WASM backend', () => {
  beforeAll(() => tf.setBackend('wasm'));
  afterAll(() => tf.setBackend('cpu'));

  it('is active on WASM and runs as our kernel', async () => {
    expect(startSimdKernels()).toBe(true); // the SIMD module runs, not the fallbacks
    expect(fusedActive('batchMatMul')).toBe(true);
    const a = tf.randomNormal([2, 3, 4]) as tf.Tensor3D;
    const profile = await tf.profile(() => batchMatMul(a, a, false, true));
    expect(profile.kernels.map((k) => k.name)).toEqual([FUSED_KERNELS.batchMatMul]);
    a.dispose();
  });

  it.each([
    [3, 5, 7, 9],
    [2, 64, 64, 16],
    [4, 13, 22, 8],
    [1, 17, 33, 1],
  ])('matches tf.matMul in every form, batch %i, m %i, n %i, k %i', (batch, m, n, k) => {
    for (const [transposeA, transposeB] of FORMS) {
      const a = tf.randomNormal(transposeA ? [batch, k, m] : [batch, m, k], 0, 1, 'float32', 1) as tf.Tensor3D;
      const b = tf.randomNormal(transposeB ? [batch, n, k] : [batch, k, n], 0, 1, 'float32', 2) as tf.Tensor3D;
      const ours = batchMatMul(a, b, transposeA, transposeB);
      const theirs = tf.matMul(a, b, transposeA, transposeB);
      expect(ours.shape).toEqual([batch, m, n]);
      expect(maxAbsDiff(ours.dataSync(), theirs.dataSync()), `transposeA ${transposeA}, transposeB ${transposeB}`).toBeLessThan(1e-4);
      tf.dispose([a, b, ours, theirs]);
    }
  });

  it('has the gradient of tf.matMul in every form', () => {
    for (const [transposeA, transposeB] of FORMS) {
      const a = tf.randomNormal(transposeA ? [3, 6, 5] : [3, 5, 6], 0, 1, 'float32', 3) as tf.Tensor3D;
      const b = tf.randomNormal(transposeB ? [3, 7, 6] : [3, 6, 7], 0, 1, 'float32', 4) as tf.Tensor3D;
      const dy = tf.randomNormal([3, 5, 7], 0, 1, 'float32', 5);
      const loss = (mm: typeof batchMatMul) => (x: tf.Tensor, y: tf.Tensor) =>
        mm(x as tf.Tensor3D, y as tf.Tensor3D, transposeA, transposeB)
          .mul(dy)
          .sum();
      const ours = tf.grads(loss(batchMatMul))([a, b]);
      const theirs = tf.grads(loss((x, y, ta, tb) => tf.matMul(x, y, ta, tb)))([a, b]);
      ours.forEach((g, i) => expect(maxAbsDiff(g.dataSync(), theirs[i].dataSync())).toBeLessThan(1e-4));
      tf.dispose([a, b, dy, ...ours, ...theirs]);
    }
  });

  it.each([[[5, 7]], [[3, 22, 32]], [[2, 2, 13, 6]], [[64, 64]]])(
    'transposes the last two axes of %j as tf.transpose does, with its gradient',
    (shape) => {
      expect(fusedActive('transpose')).toBe(true);
      const x = tf.randomNormal(shape, 0, 1, 'float32', 6);
      const perm = lastTwoSwapped(shape.length);
      const ours = transposeLastTwo(x);
      expect(ours.shape).toEqual(perm.map((i) => shape[i]));
      expect(Array.from(ours.dataSync())).toEqual(Array.from(x.transpose(perm).dataSync())); // a copy: bit-exact
      const dy = tf.randomNormal(ours.shape, 0, 1, 'float32', 7);
      const grad = tf.grad((t: tf.Tensor) => transposeLastTwo(t).mul(dy).sum())(x);
      expect(Array.from(grad.dataSync())).toEqual(Array.from(dy.transpose(perm).dataSync()));
      tf.dispose([x, ours, dy, grad]);
    },
  );

  it("writes AdamW's update of one parameter from its slice of the flat moments, as torch's formula", () => {
    const [size, offset, total] = [37, 13, 64]; // an odd size: the SIMD tail
    const param = tf.randomNormal([size], 0, 1, 'float32', 8);
    const m = tf.randomNormal([total], 0, 0.1, 'float32', 9);
    const v = tf.randomNormal([total], 0, 0.1, 'float32', 10).square();
    const attrs = { offset, decay: 0.999, stepSize: 1e-3, sqrtBiasCorrection2: 0.3, eps: 1e-8 };
    const ours = adamWParam(param, m, v, attrs);
    const [p, mv, vv] = [param.dataSync(), m.dataSync(), v.dataSync()];
    const expected = Array.from(
      p,
      (x, i) => x * attrs.decay - (attrs.stepSize * mv[offset + i]) / (Math.sqrt(vv[offset + i]) / attrs.sqrtBiasCorrection2 + attrs.eps),
    );
    expect(maxAbsDiff(ours.dataSync(), expected)).toBeLessThan(1e-6);
    tf.dispose([param, m, v, ours]);
  });

  it.each([
    [37, 6, 13], // every edge: rows past a chunk's end, m and n off the 4 x 8 tiles
    [300, 64, 256], // a chunk boundary inside, the shapes of an MLP layer
    [5, 48, 64],
  ])("gives a linear layer's weight and bias gradients as tfjs does, rows %i, in %i, out %i", (rows, m, n) => {
    expect(fusedActive('linearGrad')).toBe(true);
    const x = tf.randomNormal([rows, m], 0, 1, 'float32', 11) as tf.Tensor2D;
    const g = tf.randomNormal([rows, n], 0, 1, 'float32', 12) as tf.Tensor2D;
    const [dw, db] = linearParamGrads(x, g);
    const [dwTf, dbTf] = [tf.matMul(x, g, true, false), g.sum(0)];
    expect(dw.shape).toEqual([m, n]);
    expect(db.shape).toEqual([n]);
    // relative to the sums' size: rows terms of unit variance each
    expect(maxAbsDiff(dw.dataSync(), dwTf.dataSync()) / Math.sqrt(rows)).toBeLessThan(1e-5);
    expect(maxAbsDiff(db.dataSync(), dbTf.dataSync()) / Math.sqrt(rows)).toBeLessThan(1e-5);
    tf.dispose([x, g, dw, db, dwTf, dbTf]);
  });

  it("runs a linear layer's backward through them, with the plain ops' gradients", async () => {
    const x = tf.randomNormal([4, 9, 12], 0, 1, 'float32', 13);
    const w = tf.randomNormal([12, 20], 0, 0.2, 'float32', 14);
    const b = tf.randomNormal([20], 0, 0.2, 'float32', 15);
    const loss = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => linear(xs, ws, bs).square().sum();
    const profile = await tf.profile(() => tf.dispose(tf.grads(loss)([x, w, b])));
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain(FUSED_KERNELS.matMulTN);
    expect(names).toContain(FUSED_KERNELS.sumRows);
    const ours = tf.grads(loss)([x, w, b]);
    const plain = tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => xs.reshape([-1, 12]).matMul(ws).add(bs).square().sum())([
      x,
      w,
      b,
    ]);
    ours.forEach((grad, i) => expect(maxAbsDiff(grad.dataSync(), plain[i].dataSync())).toBeLessThan(1e-4));
    tf.dispose([x, w, b, ...ours, ...plain]);
  });

  it("computes GELU and its gradient as the plain ops do out to the exp's clamp, and keeps a NaN a NaN", () => {
    expect(fusedActive('gelu')).toBe(true);
    const values = [-200, -90, -12, -3.5, -1, -0.25, -1e-6, 0, 1e-6, 0.25, 1, 3.5, 12, 90, 200, 0.7, -0.7];
    const x = tf.tensor1d(values);
    const plain = (t: tf.Tensor) => t.mul(0.5).mul(tf.erf(t.mul(Math.SQRT1_2)).add(1));
    const [ours, theirs] = [gelu(x), plain(x)];
    const [gradOurs, gradTheirs] = [tf.grad((t: tf.Tensor) => gelu(t).sum())(x), tf.grad((t: tf.Tensor) => plain(t).sum())(x)];
    expect(maxAbsDiff(ours.dataSync(), theirs.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(gradOurs.dataSync(), gradTheirs.dataSync())).toBeLessThan(1e-5);
    const nan = tf.tensor1d([1, NaN, -1, 2, NaN]); // NaN in a SIMD lane and in the scalar tail
    const [geluNan, gradNan] = [
      gelu(nan).dataSync(),
      tf
        .grad((t: tf.Tensor) => gelu(t).sum())(nan)
        .dataSync(),
    ];
    expect(
      [1, 4]
        .map((i) => [geluNan[i], gradNan[i]])
        .flat()
        .every(Number.isNaN),
    ).toBe(true);
    expect([0, 2, 3].map((i) => geluNan[i]).every(Number.isFinite)).toBe(true);
    tf.dispose([x, ours, theirs, gradOurs, gradTheirs, nan]);
  });

  it('gathers rows and tiles a tensor as tf.gather and tf.tile do, bit for bit, with their gradients', () => {
    expect(fusedActive('copies')).toBe(true);
    const x = tf.randomNormal([7, 5], 0, 1, 'float32', 16) as tf.Tensor2D;
    const rows = tf.tensor1d([6, 0, 3, 3, 1], 'int32');
    const gathered = gatherRows(x, rows);
    expect(Array.from(gathered.dataSync())).toEqual(Array.from(tf.gather(x, rows).dataSync()));
    const dy = tf.randomNormal([5, 5], 0, 1, 'float32', 17);
    const grad = tf.grad((t: tf.Tensor) =>
      gatherRows(t as tf.Tensor2D, rows)
        .mul(dy)
        .sum(),
    )(x);
    // tf.gather's own gradient (UnsortedSegmentSum) has no WASM kernel: each gathered row's dy summed back
    const expected = new Float32Array(7 * 5);
    const [dyValues, rowValues] = [dy.dataSync(), rows.dataSync()];
    rowValues.forEach((row, k) => {
      for (let c = 0; c < 5; c++) expected[row * 5 + c] += dyValues[k * 5 + c];
    });
    expect(maxAbsDiff(grad.dataSync(), expected)).toBeLessThan(1e-6);

    const block = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 18);
    const tiled = tileRows(block, 4); // [12, 4, 5]
    expect(tiled.shape).toEqual([12, 4, 5]);
    expect(Array.from(tiled.dataSync())).toEqual(Array.from(block.tile([4, 1, 1]).dataSync()));
    const dyTiled = tf.randomNormal([12, 4, 5], 0, 1, 'float32', 19);
    const tileGrad = tf.grad((t: tf.Tensor) => tileRows(t, 4).mul(dyTiled).sum())(block);
    const tileGradTf = tf.grad((t: tf.Tensor) => t.tile([4, 1, 1]).mul(dyTiled).sum())(block);
    expect(maxAbsDiff(tileGrad.dataSync(), tileGradTf.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, rows, gathered, dy, grad, block, tiled, dyTiled, tileGrad, tileGradTf]);
  });

  it('writes only its output: tensors allocated around it keep their values', () => {
    const before = tf.fill([1000], 7);
    const a = tf.randomNormal([8, 33, 17]) as tf.Tensor3D;
    const after = tf.fill([1000], 9);
    const out = batchMatMul(a, a, true, false); // [8, 17, 17]
    expect(Array.from(before.dataSync()).every((v) => v === 7)).toBe(true);
    expect(Array.from(after.dataSync()).every((v) => v === 9)).toBe(true);
    tf.dispose([before, a, after, out]);
  });
});
