import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../ijepa/config';
import * as tf from '../../ijepa/tf';
import { createTrainer, disposeTrainer } from '../../ijepa/trainStep';
import { ImageStore } from '../../data/imageStore';
import { generateSampleSet } from '../../data/sampleSet';
import { heldOutSplit } from '../../data/split';
import { onWasmBackend } from '../../test/wasmBackend';
import { Evaluator, MIN_EVAL_IMAGES } from './evaluator';

onWasmBackend(); // 1,800 images embedded twice per evaluation: the CPU backend took most of a minute a test

/** An evaluator over `perClass` sample images of each class, and a fresh micro trainer to evaluate. */
function evaluatorOnSample(perClass: number, targetSeconds?: number) {
  const store = new ImageStore(32);
  for (const { rgb, label } of generateSampleSet(32, perClass)) store.add(rgb, label);
  const split = heldOutSplit(Array.from({ length: store.count }, (_, i) => store.label(i)));
  const evaluator = new Evaluator(
    () => store,
    () => split,
    targetSeconds,
  );
  return { evaluator, trainer: createTrainer(presetConfig('micro')) };
}

async function drain(evaluator: Evaluator) {
  for (;;) {
    const update = await evaluator.runSlice();
    if (update || !evaluator.busy) return update;
  }
}

describe('evaluator (slices between steps, WASM backend)', () => {
  it('evaluating (baseline included) leaves no tensor behind', async () => {
    const { evaluator, trainer } = evaluatorOnSample(10);
    const before = tf.memory().numTensors;
    const first = await evaluator.evaluate(trainer.model, 0); // computes the random-init baseline too
    await evaluator.evaluate(trainer.model, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(first.patchView?.pca.length).toBe(4 * 64 * 3);
    disposeTrainer(trainer);
  });

  it('makes the random-init encoder when its job starts, not when the evaluation is scheduled (a run waits for that)', async () => {
    const { evaluator, trainer } = evaluatorOnSample(10);
    const before = tf.memory().numTensors;
    evaluator.schedule(trainer.model, 0); // as a run starts: only the snapshot of the target encoder
    const snapshotTensors = Object.keys(trainer.model.targetEncoder).length + 1; // its weights and the position table
    expect(tf.memory().numTensors - before).toBe(snapshotTensors);
    evaluator.cancel(); // before any slice: nothing was made, nothing leaks
    expect(tf.memory().numTensors).toBe(before);
    evaluator.schedule(trainer.model, 0);
    await evaluator.runSlice(); // the baseline's first slice makes it
    expect(tf.memory().numTensors - before).toBeGreaterThan(2 * snapshotTensors);
    evaluator.cancel();
    expect(tf.memory().numTensors).toBe(before);
    disposeTrainer(trainer);
  });

  it('computes the raw-pixel yardstick once, with progress at every slice, the probe included', async () => {
    const { evaluator, trainer } = evaluatorOnSample(10);
    evaluator.schedule(trainer.model, 0);
    const progress: number[] = [];
    let update = null;
    while (!update) {
      update = await evaluator.runSlice();
      progress.push(evaluator.progress()?.done ?? Infinity);
    }
    // the progress never stands still for long (a page that waits on it sees a live evaluation): an
    // embedding job's final computations (diagnostics, kNN, probe) repeat its count three times; the
    // pixel job's probe runs 30 slices, each moving it on (but for rounding, at 60 images)
    const pixelSlices = 300 / 10;
    let still = 0;
    for (let i = 1; i < progress.length - 1; i++) {
      still = progress[i] === progress[i - 1] ? still + 1 : 0;
      expect(still).toBeLessThanOrEqual(3);
      expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    }
    expect(progress.length).toBeGreaterThan(pixelSlices);
    expect(update.pixels).toMatchObject({ images: 60 });
    for (const accuracy of [update.pixels!.knn, update.pixels!.probeTest]) expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(update.pixels!.probeTrain).toBe(1); // 3,072 numbers an image: the probe fits its 48 training images
    // the next evaluation of the same dataset reuses it: baseline and pixels are not computed again
    expect(evaluator.schedule(trainer.model, 1)).toBe(true);
    expect(evaluator.progress()).toMatchObject({ withBaseline: false, total: 60 });
    expect((await drain(evaluator))!.pixels).toEqual(update.pixels);
    disposeTrainer(trainer);
  });

  it('evaluates the weights of the step it was scheduled at, though training moves them meanwhile', async () => {
    const { evaluator, trainer } = evaluatorOnSample(10);
    const expected = await evaluator.evaluate(trainer.model, 0);
    evaluator.schedule(trainer.model, 0);
    await evaluator.runSlice(); // one chunk embedded with the snapshot
    for (const v of Object.values(trainer.model.targetEncoder)) v.assign(tf.randomNormal(v.shape)); // "training" replaces the weights
    const update = (await drain(evaluator))!;
    expect(update.record).toEqual(expected.record);
    disposeTrainer(trainer);
  });

  it('computes the random-init baseline once per dataset and architecture, not once per run', async () => {
    const { evaluator, trainer } = evaluatorOnSample(10);
    evaluator.schedule(trainer.model, 0);
    expect(evaluator.progress()?.withBaseline).toBe(true);
    const first = (await drain(evaluator))!;
    evaluator.reset(); // a new run on the same images and model shape
    evaluator.schedule(trainer.model, 0);
    expect(evaluator.progress()).toMatchObject({ withBaseline: false, done: 0 });
    const second = (await drain(evaluator))!;
    expect(second.baseline).toEqual(first.baseline);
    disposeTrainer(trainer);
  });

  it('on a slow backend, embeds a fixed subset: the same images at every evaluation, and says so', async () => {
    const { evaluator, trainer } = evaluatorOnSample(110, 1e-6); // no backend embeds 1800 images in a microsecond
    const first = (await drain((evaluator.schedule(trainer.model, 0), evaluator)))!;
    expect(first.subset).toEqual({ images: MIN_EVAL_IMAGES, of: 660 });
    expect(first.probeNote).toMatch(new RegExp(`fixed subset of ${MIN_EVAL_IMAGES} of the 660 evaluation images`));
    evaluator.schedule(trainer.model, 5);
    expect(evaluator.progress()).toMatchObject({ withBaseline: false, total: MIN_EVAL_IMAGES }); // the same prefix again
    evaluator.cancel();
    disposeTrainer(trainer);
  });

  it('a cancelled evaluation frees its snapshot and reports nothing', async () => {
    const { evaluator, trainer } = evaluatorOnSample(10);
    const before = tf.memory().numTensors;
    evaluator.schedule(trainer.model, 0);
    await evaluator.runSlice();
    await evaluator.runSlice();
    evaluator.cancel();
    await new Promise((r) => setTimeout(r, 0));
    expect(evaluator.busy).toBe(false);
    expect(await evaluator.runSlice()).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    disposeTrainer(trainer);
  });
});
