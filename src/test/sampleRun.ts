// A training run on a built-in set outside the worker, for the learning test and the learning
// benchmark: the worker's own dataset (store and held-out split), batches cropped as the worker
// crops them, and the worker's Evaluator for the quality numbers.
import type { ImageStore } from '../data/imageStore';
import { EpochSampler } from '../data/sampler';
import type { Split } from '../data/split';
import type { IJepaConfig } from '../ijepa/config';
import { createTrainer, trainStep, type Trainer } from '../ijepa/trainStep';
import { nextBatch } from '../worker/run/batch';
import { DatasetManager } from '../worker/dataset/datasetManager';
import type { BuiltinSet } from '../worker/protocol';
import { Evaluator } from '../worker/evaluation/evaluator';

/** A built-in set at `side` px as the worker holds it: its image store and held-out split. */
export async function builtinSet(
  side: number,
  set: BuiltinSet = 'patterns',
  perClass?: number,
): Promise<{ store: ImageStore; split: Split }> {
  const noFiles = { decode: () => Promise.reject(new Error('the sample-set run decodes no files')), parallel: 1 };
  const dataset = new DatasetManager(() => {}, noFiles, side);
  await dataset.loadBuiltin(set, side, perClass);
  return { store: dataset.store, split: dataset.split() };
}

export async function builtinSetRun(
  config: IJepaConfig,
  set: BuiltinSet = 'patterns',
  perClass?: number,
  data?: { store: ImageStore; split: Split },
  evalSeconds?: number, // the page's budget per evaluation by default; Infinity: every held-out image, however slow
) {
  const { store, split } = data ?? (await builtinSet(config.cropSize, set, perClass));
  const trainer: Trainer = createTrainer(config);
  const sampler = new EpochSampler(config.seed, split.train.length);
  const evaluator = new Evaluator(
    () => store,
    () => split,
    evalSeconds,
  );
  return {
    store,
    split,
    trainer,
    /** One training step on the next batch; its loss. */
    async step(): Promise<number> {
      const { images } = nextBatch(trainer, store, split.train, sampler); // [B, crop, crop, 3]
      try {
        return (await trainStep(trainer, images)).loss;
      } finally {
        images.dispose();
      }
    },
    /** The quality panel's numbers now, beside the random-init encoder's. */
    evaluate: (loss: number | null = null) => evaluator.evaluate(trainer.model, trainer.step, loss),
  };
}
