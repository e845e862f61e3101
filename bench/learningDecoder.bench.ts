// How well the pixel decoder reads the predictor's guesses, over a run (issue 25): trains a run with the
// decoder beside it, as the page does, and every DECODER_BENCH_EVERY steps decodes the target blocks of
// a fixed batch of held-out images (fixed masks, no crop) four ways, PSNR against the true pixels over
// every target patch (RGB, as the page's view computes it):
//   - "keeps": the target head on the target features (what the representation keeps);
//   - "imagines": the predictor head on the predictor's output (what the page draws);
//   - "imagines, one head": the target head on the predictor's output (what the page drew before the
//     decoder had a head for the predictor);
//   - "mean patch": every target patch drawn as the mean patch of the batch (a guess with no context);
//   - "mean at its place": as the mean patch at its grid cell over the batch (a guess from the block's
//     place alone, which the predictor is told).
// At the end, a fresh decoder fitted to the evaluation batch itself (in-sample, FIT_ITERATIONS Adam
// steps): how much of the pixels the target features and the predictor's output hold at all, beyond
// what the decoder beside the run has learned to read. It prints figures and never fails on them.
//   npm run bench:decoder   (DECODER_BENCH_SET=digits|patterns|fashion|cifar10, DECODER_BENCH_PRESET=tiny,
//   DECODER_BENCH_STEPS=600, DECODER_BENCH_EVERY=100, DECODER_BENCH_SEED=0; the browser recipe's model
//   and settings, planned to DECODER_BENCH_STEPS; DECODER_BENCH_CONFIG='{"predDepth":6}': fields laid
//   over them, as JSON)
import '@tensorflow/tfjs-backend-wasm';
import { env } from 'node:process';
import { it } from 'vitest';
import { trainingBatch } from '../src/ijepa/augment';
import { presetConfig, type PresetName } from '../src/ijepa/config';
import { layerNorm } from '../src/ijepa/layers';
import { sampleMaskBatch } from '../src/ijepa/masks';
import {
  createPixelDecoder,
  decodePatches,
  decoderLossAndGrads,
  decoderUpdate,
  disposePixelDecoder,
  type DecoderHead,
} from '../src/ijepa/pixelDecoder';
import { recipeConfig } from '../src/ijepa/recipe';
import * as tf from '../src/ijepa/tf';
import { contextPrediction, maskTensors, TARGET_LN_EPS, targetFeatures } from '../src/ijepa/trainStep';
import { patchify } from '../src/ijepa/vit';
import { builtinSetRun } from '../src/test/sampleRun';
import { psnrPerBlock, toRgb } from '../src/worker/run/decodedSnapshot';
import type { BuiltinSet } from '../src/worker/protocol';
import { heldOutSet, HELD_OUT_SETS } from './learningSets';

const number = (name: string, fallback: number) => (env[name] === undefined ? fallback : Number(env[name]));
const EVAL_IMAGES = 64;
const FIT_ITERATIONS = 1000;

it(
  'the pixel decoder over a run',
  async () => {
    await tf.setBackend('wasm');
    const set = env.DECODER_BENCH_SET ?? 'digits';
    const preset = (env.DECODER_BENCH_PRESET ?? 'tiny') as PresetName;
    const steps = number('DECODER_BENCH_STEPS', 600);
    const every = number('DECODER_BENCH_EVERY', 100);
    const base = presetConfig(preset, { seed: number('DECODER_BENCH_SEED', 0) });
    const overrides = JSON.parse(env.DECODER_BENCH_CONFIG ?? '{}');
    const config = { ...recipeConfig({ ...base, totalSteps: steps }, 'browser', { stepsPerSec: steps / 600 }), ...overrides };
    const data = HELD_OUT_SETS.includes(set) ? heldOutSet(set, config.cropSize) : undefined;
    const run = await builtinSetRun(config, set as BuiltinSet, undefined, data);
    run.trainer.decoder = createPixelDecoder(config);
    const { model } = run.trainer;
    // the fixed evaluation batch: held-out images, uncropped, one draw of masks
    const held = run.split.heldOut.slice(0, EVAL_IMAGES);
    const evalConfig = { ...config, batchSize: held.length };
    const images = trainingBatch(evalConfig, 0, run.store.gather(held), held.length, run.store.side, undefined); // [E, crop, crop, 3]
    const masks = sampleMaskBatch(evalConfig, run.trainer.plan, 1_000_000);
    console.log(
      `${set}, ${preset} (browser recipe${env.DECODER_BENCH_CONFIG ? ` + ${env.DECODER_BENCH_CONFIG}` : ''}, ${steps} steps), decoded on ${held.length} held-out images: PSNR in dB`,
    );
    console.log('step | keeps | imagines | imagines, one head | mean patch | mean at its place');
    // the evaluation batch's true pixels, target features and (layer-normed) predictor output, rows of its target patches
    const evaluationRows = () =>
      tf.tidy(() => {
        const idx = maskTensors(masks);
        const patches = patchify(images, config.patchSize); // [E, N, P]
        const [, N, P] = patches.shape;
        const truth = tf.gather(patches.reshape([-1, P]), idx.targetRows) as tf.Tensor2D; // [npred*E*Kt, P]
        const targets = tf.gather(targetFeatures(model, patches), idx.targetRows) as tf.Tensor2D; // [npred*E*Kt, D]
        const guesses = layerNorm(contextPrediction(model, patches, masks, idx), TARGET_LN_EPS).reshape([
          -1,
          config.embedDim,
        ]) as tf.Tensor2D;
        const cells = tf.tensor1d(
          Int32Array.from(masks.targetFlat, (row) => row % N),
          'int32',
        );
        const atPlace = tf.gather(patches.mean(0), cells) as tf.Tensor2D; // [npred*E*Kt, P]
        return { truth, targets, guesses, atPlace };
      });
    const psnr = (truth: tf.Tensor, decoded: tf.Tensor[]) => {
      const rgb = (t: tf.Tensor) => toRgb(t.dataSync() as Float32Array);
      return decoded.map((t) => psnrPerBlock(rgb(truth), rgb(t), 1)[0].toFixed(1));
    };
    const report = () => {
      const { truth, targets, guesses, atPlace } = evaluationRows();
      const decoder = run.trainer.decoder!;
      const decodings = tf.tidy(() => {
        const decode = (head: DecoderHead, f: tf.Tensor2D) => decodePatches(decoder, head, f);
        const meanPatch = truth.mean(0, true).tile([truth.shape[0], 1]);
        return [decode('target', targets), decode('predictor', guesses), decode('target', guesses), meanPatch, atPlace];
      });
      const figures = psnr(truth, decodings);
      tf.dispose([truth, targets, guesses, atPlace, ...decodings]);
      return figures;
    };
    const fitted = () => {
      const { truth, targets, guesses, atPlace } = evaluationRows();
      const probe = createPixelDecoder(config);
      for (let i = 0; i < FIT_ITERATIONS; i++)
        tf.tidy(() => {
          const examples = { target: { features: targets, pixels: truth }, predictor: { features: guesses, pixels: truth } };
          decoderUpdate(probe, decoderLossAndGrads(probe, examples).grads);
        });
      const decodings = tf.tidy(() => [decodePatches(probe, 'target', targets), decodePatches(probe, 'predictor', guesses)]);
      const figures = psnr(truth, decodings);
      tf.dispose([truth, targets, guesses, atPlace, ...decodings]);
      disposePixelDecoder(probe);
      return figures;
    };
    console.log(`0 | ${report().join(' | ')}`);
    while (run.trainer.step < steps) {
      await run.step();
      if (run.trainer.step % every === 0 || run.trainer.step === steps) console.log(`${run.trainer.step} | ${report().join(' | ')}`);
    }
    const [keeps, imagines] = fitted();
    console.log(`a fresh decoder fitted to this batch (in-sample, ${FIT_ITERATIONS} steps): keeps ${keeps} | imagines ${imagines}`);
    images.dispose();
  },
  4 * 3600_000,
);
