// The raw pixels' figures across page loads: one key per set of images exactly, and an evaluator that
// finds them kept does not compute them again.
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../ijepa/config';
import { createTrainer, disposeTrainer } from '../../ijepa/trainStep';
import { ImageStore } from '../../data/imageStore';
import { generateSampleSet } from '../../data/sampleSet';
import { heldOutSplit } from '../../data/split';
import { onWasmBackend } from '../../test/wasmBackend';
import { memoryStorage } from '../run/persistence';
import { evaluationPlan } from './evalPlan';
import { Evaluator } from './evaluator';
import { pixelBaselineKey, type PixelBaselineCache } from './pixelCache';
import type { PixelBaseline } from '../protocol';

onWasmBackend();

/** `perClass` sample images of each class, with one pixel or one label changed when asked. */
function sampleStore(perClass: number, change: { pixel?: boolean; label?: boolean } = {}) {
  const store = new ImageStore(32);
  let first = true;
  for (const { rgb, label } of generateSampleSet(32, perClass)) {
    if (first && change.pixel) rgb[100] ^= 1;
    store.add(rgb, first && change.label ? 'ring' : label);
    first = false;
  }
  const split = heldOutSplit(Array.from({ length: store.count }, (_, i) => store.label(i)));
  return { store, split };
}

const keyOf = ({ store, split }: ReturnType<typeof sampleStore>, cropSize = 32) =>
  pixelBaselineKey(store, evaluationPlan(store, split), cropSize);

/** A cache that counts what it is asked and given. */
function countingCache(inner: PixelBaselineCache) {
  const counts = { get: 0, put: 0 };
  const cache: PixelBaselineCache = {
    getPixelBaseline: (key) => (counts.get++, inner.getPixelBaseline(key)),
    putPixelBaseline: (key, value) => (counts.put++, inner.putPixelBaseline(key, value)),
  };
  return { cache, counts };
}

describe('the raw-pixel figures kept across page loads', () => {
  it('are keyed by exactly the images, their labels and the resolution', () => {
    const key = keyOf(sampleStore(10));
    expect(keyOf(sampleStore(10))).toBe(key); // the same images loaded again
    expect(keyOf(sampleStore(10, { pixel: true }))).not.toBe(key);
    expect(keyOf(sampleStore(10, { label: true }))).not.toBe(key);
    expect(keyOf(sampleStore(11))).not.toBe(key);
    expect(keyOf(sampleStore(10), 28)).not.toBe(key);
  });

  it('are computed once: a new evaluator on the same images (a reload) reads them back', async () => {
    const storage = memoryStorage();
    const trainer = createTrainer(presetConfig('micro'));
    const evaluate = async (data: ReturnType<typeof sampleStore>, cache: PixelBaselineCache) =>
      (
        await new Evaluator(
          () => data.store,
          () => data.split,
          undefined,
          cache,
        ).evaluate(trainer.model, 0)
      ).pixels;
    const first = countingCache(storage);
    const computed = await evaluate(sampleStore(10), first.cache);
    expect(computed?.knn).toBeGreaterThan(0);
    expect(first.counts).toEqual({ get: 1, put: 1 });
    // after the reload: the same figures, not computed (a kept value is returned as it is)
    const again = countingCache(storage);
    expect(await evaluate(sampleStore(10), again.cache)).toEqual(computed);
    expect(again.counts).toEqual({ get: 1, put: 0 });
    const marked: PixelBaseline = { knn: 0.123, probeTrain: 0.5, probeTest: 0.25, images: computed!.images };
    await storage.putPixelBaseline(keyOf(sampleStore(10)), marked);
    expect(await evaluate(sampleStore(10), storage)).toEqual(marked);
    // other images: computed for them
    const other = countingCache(storage);
    await evaluate(sampleStore(10, { pixel: true }), other.cache);
    expect(other.counts).toEqual({ get: 1, put: 1 });
    disposeTrainer(trainer);
  });
});
