import { afterEach, describe, expect, it, vi } from 'vitest';
import { presetConfig } from './config';
import { setGradientRelease } from './gradientMemory';
import { randomImages } from './kernelCheck';
import { sampleMaskBatch } from './masks';
import * as tf from './tf';
import { createTrainer, disposeTrainer, lossAndGrads } from './trainStep';

afterEach(() => setGradientRelease(true));

/** The step's loss, its gradients' values, and the most tensor bytes alive at once while they were computed. */
async function stepGradients(release: boolean, setRelease = setGradientRelease) {
  setRelease(release);
  const config = presetConfig('micro', { batchSize: 4 });
  const trainer = createTrainer(config);
  const images = randomImages(config);
  const masks = sampleMaskBatch(config, trainer.plan, 0);
  let result: { loss: number; grads: Record<string, Float32Array> } | undefined;
  const profile = await tf.profile(() => {
    const { loss, grads } = tf.tidy(() => lossAndGrads(trainer.model, images, masks));
    result = {
      loss: loss.dataSync()[0],
      grads: Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, g.dataSync() as Float32Array])),
    };
    tf.dispose([loss, ...Object.values(grads)]);
  });
  images.dispose();
  disposeTrainer(trainer);
  return { ...result!, peakBytes: profile.peakBytes };
}

describe('backprop that frees what it has used', () => {
  it('gives the training step bit-identical gradients with a lower peak of live tensors', async () => {
    const before = tf.memory().numTensors;
    const kept = await stepGradients(false);
    const released = await stepGradients(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(released.loss).toBe(kept.loss);
    expect(Object.keys(released.grads)).toEqual(Object.keys(kept.grads));
    for (const [name, g] of Object.entries(kept.grads)) expect(released.grads[name], name).toEqual(g);
    console.log(`peak of live tensors in one micro step: ${kept.peakBytes} -> ${released.peakBytes} bytes`);
    expect(released.peakBytes).toBeLessThan(kept.peakBytes * 0.8);
  });

  it('is one switch for the engine, though its module is evaluated again (a test that resets modules)', async () => {
    const engine = tf.engine() as unknown as { gradients: unknown; addTapeNode: unknown };
    const wrapped = [engine.gradients, engine.addTapeNode];
    vi.resetModules();
    const again = await import('./gradientMemory');
    again.installGradientRelease();
    expect([engine.gradients, engine.addTapeNode]).toEqual(wrapped); // not wrapped twice
    // the second copy's switch is the one the engine's wrapper reads
    const kept = await stepGradients(false, again.setGradientRelease);
    const released = await stepGradients(true, again.setGradientRelease);
    expect(released.peakBytes).toBeLessThan(kept.peakBytes * 0.8);
  });

  it('keeps a dy the caller passed, a gradient handed on as it is, and higher-order gradients', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const dy = tf.tensor1d([1, 10, 100]);
    // identity ops hand their dy on as the input's gradient; the caller's dy must survive the pass
    const [dx] = tf.grads((a: tf.Tensor) => a.reshape([3, 1]).reshape([3]).clone().mul(2))([x], dy);
    expect(Array.from(dx.dataSync())).toEqual([2, 20, 200]);
    expect(dy.isDisposed).toBe(false);
    expect(Array.from(dy.dataSync())).toEqual([1, 10, 100]);
    // a custom gradient that returns dy itself for its input
    const passThrough = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: (args[0] as tf.Tensor).square(),
      gradFunc: (g: tf.Tensor) => g,
    }));
    const [viaCustom] = tf.grads((a: tf.Tensor) => (passThrough(a) as tf.Tensor).sum())([x]);
    expect(Array.from(viaCustom.dataSync())).toEqual([1, 1, 1]);
    // the second derivative of x^3 is 6x: the inner backward is taped by the outer one
    const second = tf.grad((a: tf.Tensor) =>
      tf
        .grad((b: tf.Tensor) => b.pow(3).sum())(a)
        .sum(),
    )(x);
    expect(Array.from(second.dataSync())).toEqual([6, 12, 18]);
    tf.dispose([x, dy, dx, viaCustom, second]);
  });
});
