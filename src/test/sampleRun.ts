// A training run on a built-in set outside the worker, for the learning test and the learning
// benchmark: the worker's own dataset (store and held-out split), batches cropped as the worker
// crops them, and the worker's Evaluator for the quality numbers.
import { EpochSampler } from '../data/sampler';
import type { IJepaConfig } from '../ijepa/config';
import { createTrainer, trainStep, type Trainer } from '../ijepa/trainStep';
import { nextBatch } from '../worker/batch';
import { DatasetManager } from '../worker/datasetManager';
import type { BuiltinSet } from '../worker/protocol';
import { Evaluator } from '../worker/evaluator';

export async function builtinSetRun(config: IJepaConfig, set: BuiltinSet = 'patterns', perClass?: number) {
  const side = config.cropSize;
  const noFiles = { decode: () => Promise.reject(new Error('the sample-set run decodes no files')), parallel: 1 };
  const dataset = new DatasetManager(() => {}, noFiles, side);
  await dataset.loadBuiltin(set, side, perClass);
  const { store } = dataset;
  const split = dataset.split();
  const trainer: Trainer = createTrainer(config);
  const sampler = new EpochSampler(config.seed, split.train.length);
  const evaluator = new Evaluator(
    () => store,
    () => split,
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
    evaluate: () => evaluator.evaluate(trainer.model, trainer.step),
  };
}
