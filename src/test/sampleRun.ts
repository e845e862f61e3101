// A training run on the built-in sample set outside the worker, for the learning test and the
// learning benchmark: the store and held-out split as the worker builds them, batches cropped as
// the worker crops them, and the worker's Evaluator for the quality numbers.
import { ImageStore } from '../data/imageStore';
import { EpochSampler } from '../data/sampler';
import { generateSampleSet, SAMPLE_PER_CLASS } from '../data/sampleSet';
import { heldOutSplit } from '../data/split';
import { trainingBatch } from '../ijepa/augment';
import type { IJepaConfig } from '../ijepa/config';
import { createTrainer, trainStep, type Trainer } from '../ijepa/trainStep';
import { Evaluator } from '../worker/evaluator';

export function sampleSetRun(config: IJepaConfig, perClass = SAMPLE_PER_CLASS) {
  const side = config.cropSize;
  const B = config.batchSize;
  const store = new ImageStore(side);
  for (const { rgb, label } of generateSampleSet(side, perClass)) store.add(rgb, label);
  const split = heldOutSplit(Int32Array.from({ length: store.count }, (_, i) => store.label(i)));
  const trainer: Trainer = createTrainer(config);
  const sampler = new EpochSampler(config.seed, split.train.length);
  const evaluator = new Evaluator(() => store, () => split);
  return {
    store,
    split,
    trainer,
    /** One training step on the next batch; its loss. */
    async step(): Promise<number> {
      const indices = sampler.next(B).map((k) => split.train[k]);
      const images = trainingBatch(config, trainer.step, store.gather(indices), B, side); // [B, crop, crop, 3]
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
