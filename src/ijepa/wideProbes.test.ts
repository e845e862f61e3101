import { describe, expect, it } from 'vitest';
import { clusters, split } from '../test/clusters';
import { knnAccuracy, linearProbe } from './probes';
import * as tf from './tf';
import { wideKnnAccuracy, wideLinearProbe } from './wideProbes';

async function finish<T>(slices: AsyncGenerator<number, T>): Promise<{ value: T; yields: number }> {
  let yields = 0;
  for (;;) {
    const next = await slices.next();
    if (next.done) return { value: next.value, yields };
    yields++;
  }
}

describe('probes on the backend (wide features)', () => {
  it('agree with the plain probes, the probe in slices, without leaking tensors', async () => {
    for (const [spread, seed] of [
      [0.6, 4],
      [1.5, 5],
    ]) {
      const [train, test] = split(clusters(300, 4, 24, spread, seed));
      const before = tf.memory().numTensors;
      expect(await wideKnnAccuracy(train, test, 4)).toBeCloseTo(knnAccuracy(train, test, 4), 6);
      const plain = linearProbe(train, test, 4);
      const { value: wide, yields } = await finish(wideLinearProbe(train, test, 4, 50));
      expect(yields).toBe(5); // 300 iterations, a yield every 50 before the last
      expect(Math.abs(wide.trainAccuracy - plain.trainAccuracy)).toBeLessThanOrEqual(1 / train.n + 1e-9);
      expect(Math.abs(wide.testAccuracy - plain.testAccuracy)).toBeLessThanOrEqual(1 / test.n + 1e-9);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('frees its tensors when stopped between slices', async () => {
    const [train, test] = split(clusters(100, 3, 8, 1, 6));
    const before = tf.memory().numTensors;
    const slices = wideLinearProbe(train, test, 3, 10);
    await slices.next();
    await slices.return(undefined as never);
    expect(tf.memory().numTensors).toBe(before);
  });
});
