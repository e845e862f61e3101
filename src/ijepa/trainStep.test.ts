import { afterEach, describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { maskBatchFromIndices, sampleMaskBatch } from './masks';
import { emaUpdate } from './optim';
import { randomImages } from './kernelCheck';
import * as tf from './tf';
import { createTrainer, disposeTrainer, lossAndGrads, trainStep, type Trainer } from './trainStep';

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

  it("trains under each of the paper's masking strategies (random with pixel targets): the plan's target count, the loss falls", async () => {
    for (const maskStrategy of ['rasterized', 'block', 'random'] as const) {
      const config = {
        ...microPair,
        maskStrategy,
        predictionTarget: maskStrategy === 'random' ? ('pixels' as const) : ('representations' as const),
      };
      trainer = createTrainer(config);
      const images = randomImages(config);
      const masks = sampleMaskBatch(config, trainer.plan, 0);
      expect(masks.numTargets).toBe(maskStrategy === 'rasterized' ? 3 : 1);
      const before = tf.memory().numTensors;
      const first = await trainStep(trainer, images, masks);
      for (let i = 0; i < 3; i++) await trainStep(trainer, images, masks);
      const last = await trainStep(trainer, images, masks);
      expect(tf.memory().numTensors, maskStrategy).toBe(before);
      expect(last.loss, maskStrategy).toBeLessThan(first.loss);
      images.dispose();
      disposeTrainer(trainer);
      trainer = undefined;
    }
  });

  it("pixel targets (the paper's ablation): the loss of a zero prediction is the hand-computed one", () => {
    // a 12 px image on a 3x3 grid of 4 px patches: the centre patch holds the values 0..47, the rest 0;
    // the centre is the one target, the other 8 cells the context
    const config = presetConfig('micro', { cropSize: 12, batchSize: 1, minKeep: 0, predictionTarget: 'pixels' });
    trainer = createTrainer(config);
    const values = new Float32Array(12 * 12 * 3);
    let v = 0;
    for (let y = 4; y < 8; y++) for (let x = 4; x < 8; x++) for (let c = 0; c < 3; c++) values[(y * 12 + x) * 3 + c] = v++;
    const images = tf.tensor4d(values, [1, 12, 12, 3]);
    const masks = maskBatchFromIndices(Int32Array.from([0, 1, 2, 3, 5, 6, 7, 8]), Int32Array.from([4]), 1, 1, 3);
    // a zero prediction: the loss is then the target's own size
    for (const name of ['predictor_proj.weight', 'predictor_proj.bias'])
      trainer.model.predictor[name].assign(tf.zerosLike(trainer.model.predictor[name]));
    expect(trainer.model.predictor['predictor_proj.weight'].shape).toEqual([config.predEmbedDim, 48]); // a patch's pixels, RGB
    // by hand: the patch normalised by its own mean and variance (MAE's norm_pix_loss), smooth L1 of each value
    const mean = 23.5;
    const variance = (48 * 48 - 1) / 12;
    let expected = 0;
    for (let k = 0; k < 48; k++) {
      const z = Math.abs((k - mean) / Math.sqrt(variance + 1e-6));
      expected += (z < 1 ? 0.5 * z * z : z - 0.5) / 48;
    }
    const { loss } = tf.tidy(() => {
      const { loss, grads } = lossAndGrads(trainer!.model, images, masks);
      tf.dispose(Object.values(grads));
      return { loss: loss.dataSync()[0] };
    });
    images.dispose();
    expect(loss).toBeCloseTo(expected, 5);
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
