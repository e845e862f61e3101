import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../ijepa/config';
import { randomImages } from '../../ijepa/kernelCheck';
import { sampleMaskBatch } from '../../ijepa/masks';
import * as tf from '../../ijepa/tf';
import { createTrainer, disposeTrainer, lossAndGrads, trainStep } from '../../ijepa/trainStep';
import { patchLoss, PredictorSnapshots } from './predictorSnapshot';

const config = presetConfig('micro', { seed: 3 });

describe("the predictor's view of a step", () => {
  it("is the step itself: every image's patch losses average to the step's loss, the update is unchanged", async () => {
    const a = createTrainer(config);
    const b = createTrainer(config);
    const images = randomImages(config);
    const masks = sampleMaskBatch(config, a.plan, 0);
    const D = config.embedDim;
    let sum = 0;
    for (let image = 0; image < config.batchSize; image++) {
      const blocks = tf.tidy(() => {
        const { blocks } = lossAndGrads(a.model, images, masks, image);
        return [blocks!.targets, blocks!.predicted];
      });
      const [targets, predicted] = await Promise.all(blocks.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(blocks);
      expect(targets.length).toBe(masks.numTargets * masks.targetTokens * D);
      sum += patchLoss({ targets, predicted }, targets.length / D, D, config.loss).reduce((s, v) => s + v, 0);
    }
    const before = tf.memory().numTensors;
    const shown = await trainStep(a, images, masks, 0);
    const plain = await trainStep(b, images, masks);
    expect(tf.memory().numTensors).toBe(before); // the view's tensors are freed
    expect(shown.loss).toBe(plain.loss);
    expect(plain.blocks).toBeUndefined();
    expect(sum / (config.batchSize * masks.numTargets * masks.targetTokens)).toBeCloseTo(shown.loss, 5);
    for (const [name, v] of Object.entries(a.model.encoder)) expect(v.dataSync()).toEqual(b.model.encoder[name].dataSync());
    images.dispose();
    disposeTrainer(a);
    disposeTrainer(b);
  });

  it("draws targets and predictions through the targets' projection: a perfect guess has the same colours", () => {
    const rows = 12;
    const D = 8;
    const targets = Float32Array.from({ length: rows * D }, (_, k) => Math.sin(k * 1.7) * (1 + (k % D)));
    const viewer = new PredictorSnapshots();
    const perfect = viewer.view({ targets, predicted: targets.slice() }, 3, { ...config, embedDim: D }, 0);
    expect(perfect.tokens).toBe(4);
    expect(perfect.predictedRgb).toEqual(perfect.targetRgb);
    expect(Math.max(...perfect.error)).toBe(0);
    const zeros = viewer.view({ targets, predicted: new Float32Array(rows * D) }, 3, { ...config, embedDim: D, loss: 'mse' }, 0);
    expect(zeros.predictedRgb).not.toEqual(zeros.targetRgb);
    expect(Array.from(zeros.error)).toEqual(
      Array.from({ length: rows }, (_, r) => expect.closeTo(targets.slice(r * D, (r + 1) * D).reduce((s, v) => s + v * v, 0) / D, 5)),
    );
  });
});
