// A pixel decoder beside the run (a probe of the representation, not part of I-JEPA): a two-layer MLP,
// patch by patch, from the target encoder's patch features (LayerNorm'd, as the predictor's targets
// are) to that patch's pixels, as the encoder's input has them (ImageNet-normalised). It learns from
// the features the step computes anyway, with its own Adam; its loss is differentiated with respect
// to its own weights only and its inputs are plain values, so no gradient from it reaches the
// encoder, the predictor or the target encoder: the I-JEPA update is the same with it and without.
// Applied to the predictor's output (layer-normed as the targets are), it shows what the predictor
// imagines behind a hidden block;
// deterministic, it draws the average guess (the paper's decoder is generative and samples).
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

export interface PixelDecoder {
  readonly params: Params; // fc1 [D, H], fc2 [H, P]
  readonly optimizer: AdamWState;
  readonly patchPixels: number; // P = patchSize^2 * 3
}

const RNG_STREAM = 0x64656364; // 'decd': its own stream, so the run's other draws are untouched
let decoderCount = 0; // tfjs variable names are global: each decoder's are its own

export function createPixelDecoder(config: IJepaConfig): PixelDecoder {
  const D = config.embedDim;
  const P = config.patchSize * config.patchSize * 3;
  const H = Math.max(D, P);
  const shapes = { 'fc1.weight': [D, H], 'fc1.bias': [H], 'fc2.weight': [H, P], 'fc2.bias': [P] };
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

/** Patch features [rows, D] -> the pixels they decode to [rows, P]. */
export function decodePatches(decoder: PixelDecoder, features: tf.Tensor2D): tf.Tensor2D {
  const p = decoder.params;
  return linear(gelu(linear(features, p['fc1.weight'], p['fc1.bias'])), p['fc2.weight'], p['fc2.bias']) as tf.Tensor2D;
}

/** The decoder's mean squared error on (features, pixels) and its gradients (its own weights only).
 *  Call in tf.tidy. */
export function decoderLossAndGrads(
  decoder: PixelDecoder,
  features: tf.Tensor2D, // [rows, D]
  pixels: tf.Tensor2D, // [rows, P]
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const named = Object.entries(decoder.params);
  const { value, grads } = tf.variableGrads(
    () => decodePatches(decoder, features).sub(pixels).square().mean(),
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

/** The shown image's target blocks in pixels, as the encoder's input has them, [npred, Kt, P] each:
 *  the true pixels, and the decoder applied to the target features and to the predictor's output. */
export type ShownPixels<T> = {
  truth: T;
  fromTargets: T;
  fromPredicted: T;
};

/** What the decoder does beside a step: its loss and gradients on this batch, and the shown blocks. */
export type DecoderBeside = {
  learned?: { loss: tf.Scalar; grads: Record<string, tf.Tensor> }; // on its learning steps (DECODER_EVERY)
  shown?: ShownPixels<tf.Tensor3D>;
};

/** The decoder's part of a step, on what the step computed: the target features of every patch and
 *  the patches themselves (its loss and gradients on a learning step), and the shown blocks decoded.
 *  Call in tf.tidy. */
export function decoderBeside(
  decoder: PixelDecoder,
  step: number,
  features: tf.Tensor2D, // [B*N, D]
  patches: tf.Tensor3D, // [B, N, P]
  masks: MaskBatch,
  targetRows: tf.Tensor1D, // [npred*B*Kt]
  shown?: { rows: tf.Tensor1D; blocks: BlockFeatures<tf.Tensor3D> },
): DecoderBeside {
  const [B, N, P] = patches.shape;
  const flat = patches.reshape([B * N, P]); // [B*N, P]
  let learned: DecoderBeside['learned'];
  if (step % DECODER_EVERY === 0) {
    const picked = tf.tensor1d(decoderRows(B * N, step / DECODER_EVERY), 'int32');
    learned = decoderLossAndGrads(decoder, tf.gather(features, picked), tf.gather(flat, picked) as tf.Tensor2D);
  }
  if (!shown) return { learned };
  const [npred, Kt, D] = shown.blocks.targets.shape;
  const blockPixels = tf.gather(flat, targetRows).reshape([masks.numTargets * B, masks.targetTokens, P]); // [npred*B, Kt, P]
  const decode = (f: tf.Tensor3D) =>
    decodePatches(decoder, f.reshape([npred * Kt, D]) as tf.Tensor2D).reshape([npred, Kt, P]) as tf.Tensor3D;
  return {
    learned,
    shown: {
      truth: tf.gather(blockPixels, shown.rows) as tf.Tensor3D,
      fromTargets: decode(shown.blocks.targets),
      fromPredicted: decode(shown.blocks.predicted),
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
