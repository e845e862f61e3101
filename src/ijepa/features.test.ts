import { describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { evaluationFeatures } from './features';
import { createModel, disposeModel } from './model';
import { randomImages, maxAbsDiff } from './kernelCheck';
import * as tf from './tf';
import { encode, patchify } from './vit';

describe('evaluation features', () => {
  it('average-pools the encoder tokens it is given, without leaking tensors', async () => {
    const config = presetConfig('micro');
    const model = createModel(config);
    // make the target encoder differ from the encoder, so the test tells which one is used
    tf.tidy(() => Object.values(model.targetEncoder).forEach((v) => v.assign(v.add(tf.randomNormal(v.shape, 0, 0.2, 'float32', 9)))));
    const images = randomImages(config, 10);
    const before = tf.memory().numTensors;
    const { tokens, pooled } = evaluationFeatures({ config, params: model.targetEncoder, posEmbed: model.posEmbed }, images);
    expect(tokens.shape).toEqual([10, 64, config.embedDim]);
    expect(pooled.shape).toEqual([10, config.embedDim]);
    const features = await pooled.data();
    tf.dispose([tokens, pooled]);
    expect(tf.memory().numTensors).toBe(before);
    const expected = tf.tidy(() => encode(model.targetEncoder, config, model.posEmbed, patchify(images, 4)).mean(1).dataSync());
    expect(maxAbsDiff(features, expected)).toBeLessThan(1e-6);
    const online = tf.tidy(() => encode(model.encoder, config, model.posEmbed, patchify(images, 4)).mean(1).dataSync());
    expect(maxAbsDiff(features, online)).toBeGreaterThan(1e-3);
    images.dispose();
    disposeModel(model);
  });
});
