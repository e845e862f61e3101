// A pixel decoder beside the run (a probe of the representation, not part of I-JEPA): two heads, each a
// two-layer MLP, patch by patch, to that patch's pixels as the encoder's input has them
// (ImageNet-normalised):
// - `target` reads the target encoder's patch features (LayerNorm'd, as the predictor's targets are):
//   what the representation keeps of the image;
// - `predictor` reads the predictor's output for a hidden patch (layer-normed alike): what the
//   predictor imagines behind a block. The paper trains its decoder on the predictor's outputs too:
//   the guesses are not distributed as the targets are (they hedge toward the mean), so a decoder of
//   the targets would read them off its distribution, and each head learns from what it reads.
// Both learn from what the step computes anyway, with their own Adam; their loss is differentiated
// with respect to their own weights only and their inputs are plain values, so no gradient from them
// reaches the encoder, the predictor or the target encoder: the I-JEPA update is the same with the
// decoder and without. Deterministic, a head draws the average guess (the paper's decoder is
// generative and samples).
import type { IJepaConfig } from './config';
import { gelu, linear, type Params } from './layers';
import type { MaskBatch } from './masks';
import { initialValues } from './model';
import { adamWStep, createAdamW, disposeAdamW, readMoments, writeMoments, type AdamWState, type MomentsByName } from './optim';
import { createRng } from './rng';
import type { SafeTensor } from './safetensors';
import * as tf from './tf';
import type { BlockFeatures } from './trainStep';

/** The decoder's own optimiser: Adam at a fixed lr, no weight decay (it only has to keep up). */
export const DECODER_LR = 2e-3;
/** It learns on every this-many-th step (its view decodes every step): a quarter of its cost, and a
 *  slowly moving representation needs no more. */
export const DECODER_EVERY = 4;
/** Rows (patches) of a batch it learns from per step, at most: a share of the batch is enough, and
 *  keeps its cost a few percent of the step's. */
export const DECODER_ROWS = 1024;

/** The two heads: what each reads (see the top of this file). */
export const DECODER_HEADS = ['target', 'predictor'] as const;
export type DecoderHead = (typeof DECODER_HEADS)[number];

export interface PixelDecoder {
  readonly params: Params; // per head: <head>.fc1 [D, H], <head>.fc2 [H, P]
  readonly optimizer: AdamWState;
  readonly patchPixels: number; // P = patchSize^2 * 3
}

const RNG_STREAM = 0x64656364; // 'decd': its own stream, so the run's other draws are untouched
let decoderCount = 0; // tfjs variable names are global: each decoder's are its own

export function createPixelDecoder(config: IJepaConfig): PixelDecoder {
  const D = config.embedDim;
  const P = config.patchSize * config.patchSize * 3;
  const H = Math.max(D, P);
  const layer = { 'fc1.weight': [D, H], 'fc1.bias': [H], 'fc2.weight': [H, P], 'fc2.bias': [P] };
  const shapes = Object.fromEntries(
    DECODER_HEADS.flatMap((head) => Object.entries(layer).map(([name, shape]) => [`${head}.${name}`, shape])),
  );
  const values = initialValues(shapes, createRng(config.seed, RNG_STREAM));
  const params: Params = {};
  const id = `pixelDecoder${decoderCount++}`;
  for (const [name, shape] of Object.entries(shapes)) {
    const initial = tf.tensor(values[name], shape);
    params[name] = tf.variable(initial, true, `${id}/${name}`);
    initial.dispose();
  }
  return { params, optimizer: createAdamW(Object.entries(params)), patchPixels: P };
}

export function disposePixelDecoder(decoder: PixelDecoder): void {
  tf.dispose(Object.values(decoder.params));
  disposeAdamW(decoder.optimizer);
}

/** Patch features [rows, D] -> the pixels one head decodes them to [rows, P]. */
export function decodePatches(decoder: PixelDecoder, head: DecoderHead, features: tf.Tensor2D): tf.Tensor2D {
  const p = (name: string) => decoder.params[`${head}.${name}`];
  return linear(gelu(linear(features, p('fc1.weight'), p('fc1.bias'))), p('fc2.weight'), p('fc2.bias')) as tf.Tensor2D;
}

/** What a head learns from: features [rows, D] and the pixels of the same patches [rows, P]. */
export type DecoderExamples = Record<DecoderHead, { features: tf.Tensor2D; pixels: tf.Tensor2D }>;

/** The decoder's loss (the sum of its heads' mean squared errors) and its gradients (its own weights
 *  only). Call in tf.tidy. */
export function decoderLossAndGrads(
  decoder: PixelDecoder,
  examples: DecoderExamples,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const named = Object.entries(decoder.params);
  const headLoss = (head: DecoderHead) => decodePatches(decoder, head, examples[head].features).sub(examples[head].pixels).square().mean();
  const { value, grads } = tf.variableGrads(
    () => tf.addN(DECODER_HEADS.map(headLoss)) as tf.Scalar,
    named.map(([, v]) => v),
  );
  return { loss: value, grads: Object.fromEntries(named.map(([name, v]) => [name, grads[v.name]])) };
}

/** One Adam step of the decoder. Call in tf.tidy. */
export function decoderUpdate(decoder: PixelDecoder, grads: Record<string, tf.Tensor>): void {
  adamWStep(decoder.optimizer, Object.entries(decoder.params), grads, DECODER_LR, 0);
}

/** Which rows of a [B*N] batch the decoder learns from at its `update`-th learning step: every k-th,
 *  from an offset that moves with the update, so that over k updates every patch position is seen. */
export function decoderRows(rows: number, update: number): Int32Array {
  const stride = Math.max(1, Math.ceil(rows / DECODER_ROWS));
  const offset = update % stride;
  return Int32Array.from({ length: Math.ceil((rows - offset) / stride) }, (_, i) => offset + i * stride);
}

/** The shown image in pixels, as the encoder's input has them: the whole crop [N, P] (the context is
 *  drawn from it), and its target blocks [npred, Kt, P] each: the true pixels, the target features
 *  decoded and the predictor's output decoded. */
export type ShownPixels<T> = {
  input: T;
  truth: T;
  fromTargets: T;
  fromPredicted: T;
};

/** What the decoder does beside a step: its loss and gradients on this batch, and the shown blocks. */
export type DecoderBeside = {
  learned?: { loss: tf.Scalar; grads: Record<string, tf.Tensor> }; // on its learning steps (DECODER_EVERY)
  shown?: ShownPixels<tf.Tensor>;
};

/** Does the decoder learn at this step? (Its view decodes every step.) */
export const decoderLearnsAt = (step: number) => step % DECODER_EVERY === 0;

/** The decoder's part of a step, on what the step computed: the target features of every patch, the
 *  predictor's output of every target patch (layer-normed, on a learning step) and the patches
 *  themselves (its loss and gradients on a learning step), and the shown blocks decoded. Call in tf.tidy. */
export function decoderBeside(
  decoder: PixelDecoder,
  step: number,
  features: tf.Tensor2D, // [B*N, D]
  predicted: tf.Tensor2D | undefined, // [npred*B*Kt, D], rows as targetRows (on a learning step)
  patches: tf.Tensor3D, // [B, N, P]
  masks: MaskBatch,
  targetRows: tf.Tensor1D, // [npred*B*Kt]
  shown?: { image: number; rows: tf.Tensor1D; blocks: BlockFeatures<tf.Tensor3D> },
): DecoderBeside {
  const [B, N, P] = patches.shape;
  const flat = patches.reshape([B * N, P]); // [B*N, P]
  const targetPixels = tf.gather(flat, targetRows) as tf.Tensor2D; // [npred*B*Kt, P]
  let learned: DecoderBeside['learned'];
  if (decoderLearnsAt(step) && predicted) {
    const update = step / DECODER_EVERY;
    const some = (rows: number, ...tensors: tf.Tensor2D[]) => {
      const picked = tf.tensor1d(decoderRows(rows, update), 'int32');
      return tensors.map((t) => tf.gather(t, picked) as tf.Tensor2D);
    };
    const [targetFeatures, pixels] = some(B * N, features, flat as tf.Tensor2D);
    const [predictedFeatures, predictedPixels] = some(targetPixels.shape[0], predicted, targetPixels);
    learned = decoderLossAndGrads(decoder, {
      target: { features: targetFeatures, pixels },
      predictor: { features: predictedFeatures, pixels: predictedPixels },
    });
  }
  if (!shown) return { learned };
  const [npred, Kt, D] = shown.blocks.targets.shape;
  const blockPixels = targetPixels.reshape([masks.numTargets * B, masks.targetTokens, P]); // [npred*B, Kt, P]
  const decode = (head: DecoderHead, f: tf.Tensor3D) =>
    decodePatches(decoder, head, f.reshape([npred * Kt, D]) as tf.Tensor2D).reshape([npred, Kt, P]) as tf.Tensor3D;
  return {
    learned,
    shown: {
      input: flat.slice([shown.image * N, 0], [N, P]),
      truth: tf.gather(blockPixels, shown.rows) as tf.Tensor3D,
      fromTargets: decode('target', shown.blocks.targets),
      fromPredicted: decode('predictor', shown.blocks.predicted),
    },
  };
}

/** In a checkpoint (the full one, not the target encoder's): its weights and Adam moments under this
 *  prefix, so that a resumed run keeps its decoder. */
export const DECODER_PREFIX = 'pixel_decoder.';

export async function decoderTensors(decoder: PixelDecoder): Promise<[string, SafeTensor][]> {
  const moments = await readMoments(decoder.optimizer);
  const tensors: [string, SafeTensor][] = [];
  for (const [name, v] of Object.entries(decoder.params)) {
    const tensor = (data: Float32Array): SafeTensor => ({ dtype: 'F32', shape: v.shape, data });
    tensors.push([`${DECODER_PREFIX}${name}`, tensor((await v.data()) as Float32Array)]);
    tensors.push([`${DECODER_PREFIX}exp_avg.${name}`, tensor(moments.expAvg[name])]);
    tensors.push([`${DECODER_PREFIX}exp_avg_sq.${name}`, tensor(moments.expAvgSq[name])]);
  }
  tensors.push([`${DECODER_PREFIX}step`, { dtype: 'F32', shape: [1], data: Float32Array.of(decoder.optimizer.step) }]);
  return tensors;
}

/** The decoder a checkpoint carries for `config` (null: none, or not of this shape: a fresh one then). */
export function restorePixelDecoder(config: IJepaConfig, tensors: Map<string, SafeTensor>): PixelDecoder | null {
  if (!tensors.has(`${DECODER_PREFIX}step`)) return null;
  const decoder = createPixelDecoder(config);
  const moments: MomentsByName = { expAvg: {}, expAvgSq: {} };
  const read = (name: string, shape: number[]) => {
    const t = tensors.get(name);
    return t && t.shape.join() === shape.join() ? (t.data as Float32Array) : null;
  };
  for (const [name, v] of Object.entries(decoder.params)) {
    const [weights, m, s] = ['', 'exp_avg.', 'exp_avg_sq.'].map((key) => read(`${DECODER_PREFIX}${key}${name}`, v.shape));
    if (!weights || !m || !s) {
      disposePixelDecoder(decoder);
      return null;
    }
    tf.tidy(() => v.assign(tf.tensor(weights, v.shape)));
    moments.expAvg[name] = m;
    moments.expAvgSq[name] = s;
  }
  writeMoments(decoder.optimizer, moments);
  decoder.optimizer.step = tensors.get(`${DECODER_PREFIX}step`)!.data[0];
  return decoder;
}
