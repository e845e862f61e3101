import { expect, it } from 'vitest';
import { presetConfig } from '../ijepa/config';
import * as tf from '../ijepa/tf';
import { createTrainer, disposeTrainer } from '../ijepa/trainStep';
import { ImageStore } from '../data/imageStore';
import { generateSampleSet } from '../data/sampleSet';
import { heldOutSplit } from '../data/split';
import { Evaluator } from './evaluator';

it('evaluating (baseline included) leaves no tensor behind', async () => {
  const store = new ImageStore(32);
  for (const { rgb, label } of generateSampleSet(32, 10)) store.add(rgb, label);
  const split = heldOutSplit(Array.from({ length: store.count }, (_, i) => store.label(i)));
  const evaluator = new Evaluator(() => store, () => split);
  const trainer = createTrainer(presetConfig('micro'));
  const before = tf.memory().numTensors;
  const first = await evaluator.evaluate(trainer.model, 0); // computes the random-init baseline too
  await evaluator.evaluate(trainer.model, 1);
  expect(tf.memory().numTensors).toBe(before);
  expect(first.patchView?.pca.length).toBe(4 * 64 * 3);
  disposeTrainer(trainer);
});
