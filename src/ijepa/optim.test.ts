import { describe, expect, it } from 'vitest';
import { setFusedKernels } from './fused';
import { adamWStep, createAdamW, disposeAdamW, readMoments, writeMoments } from './optim';
import * as tf from './tf';

const params = (): [string, tf.Variable][] => [
  [
    'encoder.w',
    tf.variable(
      tf.tensor2d([
        [1, -2, 3],
        [0.5, 0, -1],
      ]),
    ),
  ],
  ['encoder.bias', tf.variable(tf.tensor1d([0.1, -0.2, 0.3]))],
  ['predictor.w', tf.variable(tf.tensor2d([[2], [-3]]))],
];
const grads = (): Record<string, tf.Tensor> => ({
  'encoder.w': tf.tensor2d([
    [0.3, -0.1, 0.2],
    [1, -1, 0.5],
  ]),
  'encoder.bias': tf.tensor1d([-0.4, 0.2, 0.05]),
  'predictor.w': tf.tensor2d([[0.7], [-0.25]]),
});

describe('AdamW with flat moments', () => {
  it('lays every parameter end to end, in order', () => {
    const p = params();
    const state = createAdamW(p);
    expect([...state.slots].map(([name, s]) => [name, s.offset, s.size])).toEqual([
      ['encoder.w', 0, 6],
      ['encoder.bias', 6, 3],
      ['predictor.w', 9, 2],
    ]);
    expect(state.expAvg.shape).toEqual([11]);
    disposeAdamW(state);
    tf.dispose(p.map(([, v]) => v));
  });

  it('the fused and the per-parameter steps agree, moments and weights', async () => {
    const run = async (fused: boolean) => {
      setFusedKernels(fused);
      const p = params();
      const state = createAdamW(p);
      const g = grads();
      for (let i = 0; i < 3; i++) tf.tidy(() => adamWStep(state, p, g, 0.01, 0.05));
      const moments = await readMoments(state);
      const weights = await Promise.all(p.map(([, v]) => v.data()));
      disposeAdamW(state);
      tf.dispose([...p.map(([, v]) => v), ...Object.values(g)]);
      return { moments, weights };
    };
    try {
      const [fused, plain] = [await run(true), await run(false)];
      for (const key of ['expAvg', 'expAvgSq'] as const) {
        for (const name of Object.keys(plain.moments[key])) {
          [...fused.moments[key][name]].forEach((x, i) => expect(x).toBeCloseTo(plain.moments[key][name][i], 6));
        }
      }
      fused.weights.forEach((w, k) => [...w].forEach((x, i) => expect(x).toBeCloseTo(plain.weights[k][i], 5)));
      // the bias is not decayed, and the first moment after 3 steps of a constant g is (1 - 0.9^3) g
      expect(plain.moments.expAvg['encoder.bias'][0]).toBeCloseTo(-0.4 * (1 - 0.9 ** 3), 6);
    } finally {
      setFusedKernels(true);
    }
  });

  it('reads and writes the moments by name, and names a missing one', async () => {
    const p = params();
    const state = createAdamW(p);
    const moments = {
      expAvg: {
        'encoder.w': new Float32Array(6).fill(1),
        'encoder.bias': new Float32Array(3).fill(2),
        'predictor.w': new Float32Array([3, 4]),
      },
      expAvgSq: {
        'encoder.w': new Float32Array(6).fill(5),
        'encoder.bias': new Float32Array(3).fill(6),
        'predictor.w': new Float32Array([7, 8]),
      },
    };
    writeMoments(state, moments);
    expect(await readMoments(state)).toEqual(moments);
    expect([...(await state.expAvg.data())]).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4]);
    const { 'predictor.w': _, ...missing } = moments.expAvgSq;
    expect(() => writeMoments(state, { ...moments, expAvgSq: missing })).toThrow(/expAvgSq of predictor.w has 0 values, expected 2/);
    disposeAdamW(state);
    tf.dispose(p.map(([, v]) => v));
  });
});
