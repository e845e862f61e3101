import { afterEach, describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { sampleMaskBatch } from './masks';
import { emaUpdate } from './optim';
import { randomImages } from './kernelCheck';
import * as tf from './tf';
import { createTrainer, disposeTrainer, trainStep, type Trainer } from './trainStep';

const micro = presetConfig('micro', { warmupSteps: 0, lr: 2e-3, totalSteps: 100 });
/** For the tests of many steps: two images a step prove the same at a quarter of the cost. */
const microPair = { ...micro, batchSize: 2 };
let trainer: Trainer | undefined;
afterEach(() => {
  if (trainer) disposeTrainer(trainer);
  trainer = undefined;
});

describe('train step (micro preset, CPU backend)', () => {
  it('lowers the loss on a fixed batch with fixed masks', async () => {
    trainer = createTrainer(microPair);
    const images = randomImages(microPair);
    const masks = sampleMaskBatch(microPair, trainer.plan, 0);
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) losses.push((await trainStep(trainer, images, masks)).loss);
    images.dispose();
    console.log(`loss on a fixed batch: ${losses[0].toFixed(4)} -> ${losses[39].toFixed(4)}`);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[39]).toBeLessThan(losses[0] * 0.5);
  });

  it("trains under each of the paper's masking strategies: the plan's target count, the loss falls", async () => {
    for (const maskStrategy of ['rasterized', 'block', 'random'] as const) {
      const config = { ...microPair, maskStrategy };
      trainer = createTrainer(config);
      const images = randomImages(config);
      const masks = sampleMaskBatch(config, trainer.plan, 0);
      expect(masks.numTargets).toBe(maskStrategy === 'rasterized' ? 3 : 1);
      const before = tf.memory().numTensors;
      const first = await trainStep(trainer, images, masks);
      for (let i = 0; i < 6; i++) await trainStep(trainer, images, masks);
      const last = await trainStep(trainer, images, masks);
      expect(tf.memory().numTensors, maskStrategy).toBe(before);
      expect(last.loss, maskStrategy).toBeLessThan(first.loss);
      images.dispose();
      disposeTrainer(trainer);
      trainer = undefined;
    }
  });

  it('keeps the tensor count flat: identical after step 5 and step 50', async () => {
    trainer = createTrainer(microPair);
    const images = randomImages(microPair);
    let after5 = -1;
    for (let i = 1; i <= 50; i++) {
      await trainStep(trainer, images); // fresh masks every step, as in a real run
      if (i === 5) after5 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(after5);
    images.dispose();
  });

  it('creating and disposing a trainer leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    disposeTrainer(createTrainer(micro));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports the schedules it applied and advances the step', async () => {
    trainer = createTrainer(presetConfig('micro', { totalSteps: 10, warmupSteps: 2 }));
    const images = randomImages(trainer.config);
    const first = await trainStep(trainer, images);
    const second = await trainStep(trainer, images);
    images.dispose();
    expect(first.step).toBe(0);
    expect(second.step).toBe(1);
    expect(trainer.step).toBe(2);
    expect(first.lr).toBeCloseTo(2e-4, 12);
    expect(first.momentum).toBeCloseTo(0.996, 12);
    expect(second.momentum).toBeCloseTo(0.996 + 0.004 / 10, 12);
  });
});

describe('a NaN/Inf loss', () => {
  it('skips the update: weights, moments, target and step stay as they were', async () => {
    trainer = createTrainer(micro);
    const images = randomImages(micro);
    await trainStep(trainer, images);
    const snapshot = async () =>
      Promise.all(
        [
          ...[trainer!.model.encoder, trainer!.model.targetEncoder, trainer!.model.predictor].flatMap((p) => Object.values(p)),
          trainer!.optimizer.expAvg,
          trainer!.optimizer.expAvgSq,
        ].map((v) => v.data()),
      );
    const before = await snapshot();
    const poisoned = tf.tidy(() => images.mul(Number.NaN)) as tf.Tensor4D;
    const result = await trainStep(trainer, poisoned);
    expect(Number.isNaN(result.loss)).toBe(true);
    expect(result.applied).toBe(false);
    expect(trainer.step).toBe(1);
    expect(trainer.optimizer.step).toBe(1);
    expect(await snapshot()).toEqual(before);
    expect((await trainStep(trainer, images)).applied).toBe(true); // and training can go on
    tf.dispose([images, poisoned]);
  });
});

describe('EMA of the target encoder', () => {
  async function values(p: Record<string, tf.Variable>) {
    return Promise.all(Object.values(p).map((v) => v.data()));
  }

  it('m = 1 leaves the target unchanged; m = 0 copies the encoder; one step matches the formula', async () => {
    trainer = createTrainer(micro);
    const { encoder, targetEncoder } = trainer.model;
    // make the two differ
    tf.tidy(() => Object.values(encoder).forEach((v) => v.assign(v.add(tf.randomNormal(v.shape, 0, 0.1, 'float32', 3)))));
    const before = await values(targetEncoder);
    const online = await values(encoder);

    tf.tidy(() => emaUpdate(targetEncoder, encoder, 1));
    expect(await values(targetEncoder)).toEqual(before);

    tf.tidy(() => emaUpdate(targetEncoder, encoder, 0.9));
    const after = await values(targetEncoder);
    after.forEach((t, k) => t.forEach((x, i) => expect(x).toBeCloseTo(0.9 * before[k][i] + 0.1 * online[k][i], 6)));

    tf.tidy(() => emaUpdate(targetEncoder, encoder, 0));
    expect(await values(targetEncoder)).toEqual(online);
  });

  it('a training step moves the target encoder by the EMA formula only (no gradient reaches it)', async () => {
    trainer = createTrainer(micro);
    const images = randomImages(micro);
    const targetBefore = await values(trainer.model.targetEncoder);
    const result = await trainStep(trainer, images);
    images.dispose();
    const encoderAfter = await values(trainer.model.encoder);
    const targetAfter = await values(trainer.model.targetEncoder);
    const m = result.momentum;
    targetAfter.forEach((t, k) => t.forEach((x, i) => expect(x).toBeCloseTo(m * targetBefore[k][i] + (1 - m) * encoderAfter[k][i], 6)));
  });
});
