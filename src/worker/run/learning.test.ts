// Does training learn? A short `micro` run on the built-in sample set, in Node on the WASM backend
// with the page's SIMD kernels (as the page trains without a GPU; about 8x faster than the CPU
// backend here), must beat its own random init (the same-seed encoder it started from) on held-out
// kNN accuracy by a clear margin, measured by the page's own Evaluator (target encoder,
// average-pooled features, k = 20, cosine).
// Reproduce other seeds: LEARNING_SEED=1 npx vitest run src/worker/run/learning.test.ts
import { expect, it } from 'vitest';
import { presetConfig } from '../../ijepa/config';
import { disposeTrainer } from '../../ijepa/trainStep';
import { builtinSetRun } from '../../test/sampleRun';
import { onWasmBackend } from '../../test/wasmBackend';

const STEPS = 750; // of the preset's 2,000 planned: batch 8, so 6,000 images seen, ~4 passes over the 1,440
const MARGIN = 0.05; // kNN accuracy points over the random encoder (360 held-out images, 6 classes)

onWasmBackend();

it(
  `a ${STEPS}-step micro run beats the random-init encoder's kNN accuracy by ${100 * MARGIN} points`,
  async () => {
    const seed = Number(process.env.LEARNING_SEED ?? 0);
    const run = await builtinSetRun(presetConfig('micro', { seed }));
    try {
      let lastLoss = NaN;
      while (run.trainer.step < STEPS) lastLoss = await run.step();
      const { record, baseline } = await run.evaluate();
      const percent = (x: number | null) => `${(100 * (x ?? NaN)).toFixed(1)}%`;
      console.log(
        `seed ${seed}, step ${record.step}: kNN ${percent(record.knn)} vs random ${percent(baseline.knn)}; ` +
          `probe ${percent(record.probeTest)} vs ${percent(baseline.probeTest)}; loss ${lastLoss.toFixed(4)}; ` +
          `feature std ${record.featureStd.toFixed(4)}; RankMe (centred) ${record.rankMeCentred.toFixed(2)} vs ${baseline.rankMeCentred.toFixed(2)}`,
      );
      expect(Number.isFinite(lastLoss)).toBe(true);
      expect(record.knn! - baseline.knn!).toBeGreaterThan(MARGIN);
    } finally {
      disposeTrainer(run.trainer);
    }
  },
  30 * 60_000,
);
