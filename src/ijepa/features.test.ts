import { describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { embedImages } from './features';
import { createModel, disposeModel } from './model';
import { randomImages, maxAbsDiff } from './testUtils';
import * as tf from './tf';
import { encode, patchify } from './vit';

describe('evaluation features', () => {
  it('average-pools the target encoder tokens, the same in any batch size, without leaking tensors', async () => {
    const config = presetConfig('micro');
    const model = createModel(config);
    // make the target encoder differ from the encoder, so the test tells which one is used
    tf.tidy(() => Object.values(model.targetEncoder).forEach((v) => v.assign(v.add(tf.randomNormal(v.shape, 0, 0.2, 'float32', 9)))));
    const images = randomImages(config, 10);
    const before = tf.memory().numTensors;
    const inOne = await embedImages(model, images, 64);
    const inThrees = await embedImages(model, images, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(inOne.length).toBe(10 * config.embedDim);
    expect(maxAbsDiff(inOne, inThrees)).toBeLessThan(1e-5);
    const expected = tf.tidy(() => encode(model.targetEncoder, config, model.posEmbed, patchify(images, 4)).mean(1).dataSync());
    expect(maxAbsDiff(inOne, expected)).toBeLessThan(1e-6);
    const online = tf.tidy(() => encode(model.encoder, config, model.posEmbed, patchify(images, 4)).mean(1).dataSync());
    expect(maxAbsDiff(inOne, online)).toBeGreaterThan(1e-3);
    images.dispose();
    disposeModel(model);
  });
});
