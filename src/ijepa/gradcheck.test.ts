// Finite-difference check of the loss gradient for a few parameters of the encoder and the predictor.
import { describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { createModel, disposeModel, trainableParams } from './model';
import { planMasks, sampleMaskBatch } from './masks';
import { randomImages } from './kernelCheck';
import * as tf from './tf';
import { computeTargets, contextLoss, lossAndGrads, maskTensors } from './trainStep';
import { patchify } from './vit';

describe('finite-difference gradient check (float32, CPU)', () => {
  it('analytic gradients agree with central differences to < 1e-2 relative error', async () => {
    const config = presetConfig('micro', {
      cropSize: 16,
      patchSize: 4,
      embedDim: 16,
      depth: 2,
      numHeads: 2,
      predEmbedDim: 8,
      predDepth: 1,
      batchSize: 2,
      minKeep: 0,
    });
    const model = createModel(config);
    // larger weights than the 0.02 init, so gradients stand well above float32 rounding
    tf.tidy(() => trainableParams(model).forEach(([, v]) => v.assign(v.add(tf.randomNormal(v.shape, 0, 0.3, 'float32', 5)))));
    const images = randomImages(config);
    const masks = sampleMaskBatch(config, planMasks(config), 3);

    const loss = () =>
      tf.tidy(() => {
        const patches = patchify(images, config.patchSize);
        const idx = maskTensors(masks);
        return contextLoss(model, patches, masks, idx, computeTargets(model, patches, masks, idx)).dataSync()[0];
      });
    const grads = tf.tidy(() => {
      const { grads } = lossAndGrads(model, images, masks);
      return Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, g.dataSync()]));
    });
    expect(Object.keys(grads).some((n) => n.startsWith('target_encoder'))).toBe(false);

    const params = Object.fromEntries(trainableParams(model));
    const checked = [
      'encoder.patch_embed.proj.weight',
      'encoder.blocks.0.attn.qkv.weight',
      'encoder.blocks.1.mlp.fc1.bias',
      'encoder.norm.weight',
      'predictor.mask_token',
      'predictor.predictor_embed.weight',
      'predictor.predictor_blocks.0.norm1.bias',
      'predictor.predictor_proj.weight',
    ];
    for (const name of checked) {
      const g = Array.from(grads[name]);
      const i = g.reduce((best, x, k) => (Math.abs(x) > Math.abs(g[best]) ? k : best), 0); // the strongest entry
      const variable = params[name];
      const original = (await variable.data()) as Float32Array;
      const h = 1e-2;
      const at = (delta: number) => {
        const values = original.slice();
        values[i] += delta;
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
        return loss();
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
      const relative = Math.abs(numeric - g[i]) / Math.max(Math.abs(numeric), Math.abs(g[i]));
      expect(relative, `${name}[${i}]: analytic ${g[i]}, numeric ${numeric}`).toBeLessThan(1e-2);
    }
    images.dispose();
    disposeModel(model);
  });
});
