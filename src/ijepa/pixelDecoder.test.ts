// The pixel decoder beside the run: the I-JEPA update is bit-identical with it and without, each
// head's loss falls, the shown blocks come back in pixels (the true ones exactly as the step saw
// them), and no tensor leaks.
import { afterEach, describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { randomImages } from './kernelCheck';
import { sampleMaskBatch } from './masks';
import { trainableParams } from './model';
import {
  createPixelDecoder,
  decodePatches,
  decoderLossAndGrads,
  decoderRows,
  DECODER_HEADS,
  type DecoderHead,
  decoderUpdate,
  disposePixelDecoder,
  DECODER_EVERY,
  DECODER_ROWS,
} from './pixelDecoder';
import { readSafetensors } from './safetensors';
import * as tf from './tf';
import { exportCheckpoint, parseCheckpoint, trainerFromCheckpoint } from './checkpoint';
import { createTrainer, disposeTrainer, trainStep, type Trainer } from './trainStep';
import { patchify } from './vit';

const config = presetConfig('micro', { warmupSteps: 0, totalSteps: 100, batchSize: 2 });
const trainers: Trainer[] = [];
afterEach(() => trainers.splice(0).forEach(disposeTrainer));

const weightsOf = (trainer: Trainer) =>
  [...trainableParams(trainer.model), ...Object.entries(trainer.model.targetEncoder)].map(([name, v]) => [name, v.dataSync().slice()]);

describe('the pixel decoder', () => {
  it('leaves the I-JEPA update bit-identical: every weight, the optimizer state and the loss', async () => {
    const plain = createTrainer(config);
    const decoded = createTrainer(config);
    decoded.decoder = createPixelDecoder(config);
    trainers.push(plain, decoded);
    const images = randomImages(config);
    for (let i = 0; i < 3; i++) {
      const masks = sampleMaskBatch(config, plain.plan, i);
      const a = await trainStep(plain, images, masks, 0);
      const b = await trainStep(decoded, images, masks, 0);
      expect(b.loss).toBe(a.loss);
      expect(b.blocks).toEqual(a.blocks);
      expect(a.decoderLoss).toBeUndefined();
      if (i % DECODER_EVERY === 0)
        expect(b.decoderLoss).toBeGreaterThan(0); // it learns on every DECODER_EVERY-th step
      else expect(b.decoderLoss).toBeUndefined();
      expect(b.shownPixels).toBeDefined(); // its view decodes every step
    }
    expect(weightsOf(decoded)).toEqual(weightsOf(plain));
    expect(decoded.optimizer.expAvg.dataSync()).toEqual(plain.optimizer.expAvg.dataSync());
    expect(decoded.optimizer.expAvgSq.dataSync()).toEqual(plain.optimizer.expAvgSq.dataSync());
    images.dispose();
  });

  it("learns: each head's loss on a fixed batch of its own features falls", () => {
    const decoder = createPixelDecoder(config);
    const rows = 64;
    const features = tf.randomNormal([rows, config.embedDim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const mixing = tf.randomNormal([config.embedDim, decoder.patchPixels], 0, 0.3, 'float32', 2);
    const pixels = tf.tidy(() => features.matMul(mixing).tanh()) as tf.Tensor2D; // a function of the features
    // the predictor head reads other features of the same patches (a guess: shrunk, with noise)
    const guesses = tf.tidy(() => features.mul(0.5).add(tf.randomNormal(features.shape, 0, 0.1, 'float32', 3))) as tf.Tensor2D;
    const examples = { target: { features, pixels }, predictor: { features: guesses, pixels } };
    const headLoss = (head: DecoderHead) =>
      tf.tidy(() => decodePatches(decoder, head, examples[head].features).sub(pixels).square().mean().dataSync()[0]);
    const before = DECODER_HEADS.map(headLoss);
    const losses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const loss = tf.tidy(() => {
        const { loss: value, grads } = decoderLossAndGrads(decoder, examples);
        decoderUpdate(decoder, grads);
        return value;
      });
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    const after = DECODER_HEADS.map(headLoss);
    console.log(`decoder loss on a fixed batch (both heads): ${losses[0].toFixed(3)} -> ${losses[149].toFixed(3)}`);
    expect(losses[149]).toBeLessThan(0.3 * losses[0]);
    after.forEach((loss, head) => expect(loss).toBeLessThan(0.3 * before[head]));
    tf.dispose([features, mixing, pixels, guesses]);
    disposePixelDecoder(decoder);
  });

  it("gives the shown image's blocks in pixels: the true ones as the step saw them, both decodings; no tensor leaks", async () => {
    const trainer = createTrainer(config);
    trainer.decoder = createPixelDecoder(config);
    trainers.push(trainer);
    const images = randomImages(config);
    const masks = sampleMaskBatch(config, trainer.plan, 0);
    // warm-up: the first step creates the optimizers' scalars; then a step where the decoder only
    // decodes, and one where it learns too (both heads), each leaving no tensor behind
    await trainStep(trainer, images, masks, 1);
    const before = tf.memory().numTensors;
    const result = await trainStep(trainer, images, masks, 1);
    expect(tf.memory().numTensors).toBe(before);
    while (trainer.step % DECODER_EVERY !== 0) await trainStep(trainer, images, masks, 1);
    expect((await trainStep(trainer, images, masks, 1)).decoderLoss).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    const P = config.patchSize ** 2 * 3;
    const { truth, fromTargets, fromPredicted } = result.shownPixels!;
    expect([truth.length, fromTargets.length, fromPredicted.length]).toEqual(Array(3).fill(masks.numTargets * masks.targetTokens * P));
    // block j of image 1: its target cells' patches, in order
    const patches = tf.tidy(() => patchify(images, config.patchSize).arraySync()) as number[][][];
    const cells = Array.from(masks.targetIdx.slice(masks.targetTokens, 2 * masks.targetTokens)); // block 0 of image 1 (mask-major)
    expect(Array.from(truth.slice(0, masks.targetTokens * P))).toEqual(cells.flatMap((cell) => patches[1][cell].map(Math.fround)));
    // and the whole image as the encoder's input had it, from which the view draws the context
    expect(Array.from(result.shownPixels!.input)).toEqual(patches[1].flat().map(Math.fround));
    images.dispose();
  });

  it("is kept in the run's checkpoint: a resumed run goes on with the same decoder; the target export has none", async () => {
    const trainer = createTrainer(config);
    trainer.decoder = createPixelDecoder(config);
    trainers.push(trainer);
    const images = randomImages(config);
    for (let i = 0; i < DECODER_EVERY; i++) await trainStep(trainer, images); // the next step is a learning one
    const restored = trainerFromCheckpoint(config, parseCheckpoint(await exportCheckpoint(trainer), config));
    trainers.push(restored);
    const weights = (t: Trainer) => Object.values(t.decoder!.params).map((v) => v.dataSync().slice());
    expect(weights(restored)).toEqual(weights(trainer));
    expect(restored.decoder!.optimizer.step).toBe(1);
    expect(restored.decoder!.optimizer.expAvgSq.dataSync()).toEqual(trainer.decoder.optimizer.expAvgSq.dataSync());
    const [a, b] = [await trainStep(trainer, images), await trainStep(restored, images)];
    expect(a.decoderLoss).toBeDefined();
    expect(b.decoderLoss).toBe(a.decoderLoss);
    const targetOnly = readSafetensors(await exportCheckpoint(trainer, { modules: ['target_encoder'] }));
    expect([...targetOnly.tensors.keys()].filter((name) => name.startsWith('pixel_decoder.'))).toEqual([]);
    images.dispose();
  });

  it('learns from a share of a large batch, every position within a few steps', () => {
    expect(decoderRows(100, 0)).toEqual(Int32Array.from({ length: 100 }, (_, i) => i));
    const rows = 4 * DECODER_ROWS;
    const seen = new Set<number>();
    for (let step = 0; step < 4; step++) {
      const picked = decoderRows(rows, step);
      expect(picked.length).toBe(DECODER_ROWS);
      picked.forEach((r) => seen.add(r));
    }
    expect(seen.size).toBe(rows);
  });
});
