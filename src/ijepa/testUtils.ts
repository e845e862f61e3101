// Helpers shared by the engine's unit tests and the fused-kernel check (./fusedCheck.ts).
import type { IJepaConfig } from './config';
import { createRng } from './rng';
import * as tf from './tf';

/** A fixed batch of smooth random "images" (normalised scale), seeded. */
export function randomImages(config: IJepaConfig, count = config.batchSize, seed = 1): tf.Tensor4D {
  const rng = createRng(seed, 99);
  const s = config.cropSize;
  const data = new Float32Array(count * s * s * 3);
  for (let n = 0; n < count; n++) {
    // a colour gradient plus a bright square: structure the encoder can latch on to
    const [a, b, c] = [rng.next(), rng.next(), rng.next()];
    const x0 = rng.int(0, s / 2), y0 = rng.int(0, s / 2);
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const inSquare = x >= x0 && x < x0 + s / 3 && y >= y0 && y < y0 + s / 3 ? 1.5 : 0;
        const base = ((n * s + y) * s + x) * 3;
        data[base] = a * (x / s) * 2 - 1 + inSquare;
        data[base + 1] = b * (y / s) * 2 - 1 + inSquare;
        data[base + 2] = c - 0.5 + 0.1 * rng.normal();
      }
    }
  }
  return tf.tensor4d(data, [count, s, s, 3]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
