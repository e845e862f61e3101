// One I-JEPA training step (reference: the train_step closure of src/train.py), narrated in its
// order. All tensor work of a step runs inside one tf.tidy; the loss is the one readback.
import type { IJepaConfig, LossKind } from './config';
import { fusedActive, fusedSmoothL1, gatherRows } from './fused';
import { layerNorm } from './layers';
import { planMasks, sampleMaskBatch, type MaskBatch, type MaskPlan } from './masks';
import { createModel, disposeModel, trainableParams, type IJepaModel } from './model';
import { adamWStep, createAdamW, disposeAdamW, emaUpdate, type AdamWState } from './optim';
import {
  decoderBeside,
  decoderLearnsAt,
  decoderUpdate,
  disposePixelDecoder,
  type DecoderBeside,
  type PixelDecoder,
  type ShownPixels,
} from './pixelDecoder';
import { predict } from './predictor';
import { schedulesAt, type Schedules } from './schedules';
import * as tf from './tf';
import { assertValidConfig } from './validate';
import { encode, patchify } from './vit';

/** LayerNorm of the target features, without affine (F.layer_norm in the reference). */
export const TARGET_LN_EPS = 1e-5;
/** Pixel targets are normalised per patch as MAE's norm_pix_loss does: (x - mean) / sqrt(var + 1e-6). */
export const PIXEL_NORM_EPS = 1e-6;

export interface Trainer {
  readonly config: IJepaConfig;
  readonly plan: MaskPlan;
  readonly model: IJepaModel;
  readonly optimizer: AdamWState;
  /** Completed steps; also the index of the next batch's masks and schedules. */
  step: number;
  /** A pixel decoder trained beside the run (a probe, not part of I-JEPA: ./pixelDecoder.ts). */
  decoder?: PixelDecoder;
}

export function createTrainer(config: IJepaConfig, model: IJepaModel = createModel(config)): Trainer {
  assertValidConfig(config);
  return { config, plan: planMasks(config), model, optimizer: createAdamW(trainableParams(model)), step: 0 };
}

export function disposeTrainer(trainer: Trainer): void {
  disposeModel(trainer.model);
  disposeAdamW(trainer.optimizer);
  if (trainer.decoder) disposePixelDecoder(trainer.decoder);
}

/** The masks the next step will use (a pure function of seed and step). */
export function nextMasks(trainer: Trainer): MaskBatch {
  return sampleMaskBatch(trainer.config, trainer.plan, trainer.step);
}

/** Index tensors of one batch's masks. */
export interface MaskTensors {
  contextCells: tf.Tensor1D; // [B*Kc] cell per context token
  targetRows: tf.Tensor1D; // [npred*B*Kt]
  targetCells: tf.Tensor1D; // [npred*B*Kt]
}

export function maskTensors(masks: MaskBatch): MaskTensors {
  return {
    contextCells: tf.tensor1d(masks.contextIdx, 'int32'),
    targetRows: tf.tensor1d(masks.targetFlat, 'int32'),
    targetCells: tf.tensor1d(masks.targetIdx, 'int32'),
  };
}

/** The target encoder on ALL tokens -> LayerNorm (no affine): every patch's target features. */
export function targetFeatures(model: IJepaModel, patches: tf.Tensor3D): tf.Tensor2D {
  const [B, N] = patches.shape;
  const h = encode(model.targetEncoder, model.config, model.posEmbed, patches); // [B, N, D]
  return layerNorm(h, TARGET_LN_EPS).reshape([B * N, model.config.embedDim]); // [B*N, D]
}

/** Target branch: the target features of the target blocks (`features`: targetFeatures, when the step
 *  has them already). Computed outside any gradient tape, so no gradient can reach the target
 *  encoder. With pixel targets (the paper's ablation) the target encoder is not run: each target
 *  patch's own pixels, normalised per patch (a LayerNorm over its pixels is exactly MAE's
 *  normalisation), are what is predicted. */
export function computeTargets(
  model: IJepaModel,
  patches: tf.Tensor3D,
  masks: MaskBatch,
  idx: MaskTensors,
  features?: tf.Tensor2D,
): tf.Tensor3D {
  const [B, N, P] = patches.shape;
  if (model.config.predictionTarget === 'pixels') {
    const normed = layerNorm(patches, PIXEL_NORM_EPS).reshape([B * N, P]) as tf.Tensor2D; // [B*N, P]
    return gatherRows(normed, idx.targetRows).reshape([masks.numTargets * B, masks.targetTokens, P]); // [npred*B, Kt, P]
  }
  const normed = features ?? targetFeatures(model, patches); // [B*N, D]
  return gatherRows(normed, idx.targetRows).reshape([masks.numTargets * B, masks.targetTokens, model.config.embedDim]); // [npred*B, Kt, D]
}

/** Smooth-L1 (beta 1) or MSE, mean over all elements. Smooth-L1 is written without tf.where
 *  (comparisons have no gradient in tfjs): q = min(|d|, 1); 0.5 q^2 + (|d| - q). */
export function regressionLoss(pred: tf.Tensor, target: tf.Tensor, kind: LossKind): tf.Scalar {
  if (kind === 'smoothL1' && fusedActive('smoothL1')) return fusedSmoothL1(pred, target);
  const diff = pred.sub(target);
  if (kind === 'mse') return diff.square().mean();
  const absDiff = diff.abs();
  const q = tf.minimum(absDiff, 1);
  return q.square().mul(0.5).add(absDiff.sub(q)).mean();
}

/** Context branch: encoder on the context tokens -> predictor: its guess of the target blocks. */
export function contextPrediction(model: IJepaModel, patches: tf.Tensor3D, masks: MaskBatch, idx: MaskTensors): tf.Tensor3D {
  const z = encode(model.encoder, model.config, model.posEmbed, patches, idx.contextCells, masks.contextTokens); // [B, Kc, D]
  return predict(model.predictor, model.config, model.predictorPosEmbed, z, idx.contextCells, idx.targetCells, masks.targetTokens); // [npred*B, Kt, D]
}

/** Context branch and its loss against the targets. */
export function contextLoss(model: IJepaModel, patches: tf.Tensor3D, masks: MaskBatch, idx: MaskTensors, targets: tf.Tensor3D): tf.Scalar {
  return regressionLoss(contextPrediction(model, patches, masks, idx), targets, model.config.loss);
}

/** One image's target blocks as the step saw them: the target features and the predictor's output
 *  for the same patches, [npred, Kt, D] each (block j of the image is row j). */
export type BlockFeatures<T> = {
  targets: T;
  predicted: T;
};

/** The rows of image `b` in the [npred*B, ...] block-major layout of the targets and predictions. */
function blockRows(masks: MaskBatch, b: number): tf.Tensor1D {
  return tf.tensor1d(
    Array.from({ length: masks.numTargets }, (_, j) => j * masks.batchSize + b),
    'int32',
  );
}

/** Loss and gradients (keyed 'encoder.<name>' / 'predictor.<name>') of one batch, and, when `shownImage`
 *  is given, that image's target and predicted block features (gathered from what the step computed:
 *  no extra forward pass; outside the loss, so no gradient flows through them). With a pixel decoder
 *  beside the run, its own loss and gradients on this batch's target features, and the shown blocks
 *  decoded. Call in tf.tidy. */
export function lossAndGrads(
  model: IJepaModel,
  images: tf.Tensor4D,
  masks: MaskBatch,
  shownImage?: number,
  decoder?: { decoder: PixelDecoder; step: number },
): { loss: tf.Scalar; grads: Record<string, tf.Tensor>; blocks?: BlockFeatures<tf.Tensor3D>; beside?: DecoderBeside } {
  const patches = patchify(images, model.config.patchSize); // [B, N, P]
  const idx = maskTensors(masks);
  const decoding = decoder && model.config.predictionTarget === 'representations';
  const features = decoding ? targetFeatures(model, patches) : undefined; // [B*N, D]
  // a scope of its own: the target encoder's intermediates are freed before the context branch runs
  const targets = tf.tidy(() => computeTargets(model, patches, masks, idx, features)); // [npred*B, Kt, D]
  const params = trainableParams(model);
  const rows = shownImage === undefined ? undefined : blockRows(masks, shownImage); // [npred]
  let predicted: tf.Tensor3D | undefined;
  let everyPredicted: tf.Tensor3D | undefined; // for the decoder's predictor head, on its learning steps
  const { value, grads } = tf.variableGrads(
    () => {
      const p = contextPrediction(model, patches, masks, idx); // [npred*B, Kt, D]
      if (rows) predicted = tf.keep(tf.gather(p, rows)); // [npred, Kt, D]
      if (decoding && decoderLearnsAt(decoder.step)) everyPredicted = tf.keep(p);
      return regressionLoss(p, targets, model.config.loss);
    },
    params.map(([, v]) => v),
  );
  const named: Record<string, tf.Tensor> = {};
  for (const [name, v] of params) named[name] = grads[v.name];
  const blocks = rows && predicted && { targets: tf.gather(targets, rows), predicted }; // [npred, Kt, D] each
  let beside: DecoderBeside | undefined;
  if (decoding) {
    // the decoder reads the predictor's output layer-normed, as the targets are: its direction is the
    // guess; its norm (smaller than the targets': a hedge toward the mean) is left out
    const normed = (p: tf.Tensor3D) => layerNorm(p, TARGET_LN_EPS) as tf.Tensor3D;
    const shown = rows && blocks && { image: shownImage!, rows, blocks: { targets: blocks.targets, predicted: normed(blocks.predicted) } };
    const learnFrom = everyPredicted && (normed(everyPredicted).reshape([-1, model.config.embedDim]) as tf.Tensor2D); // [npred*B*Kt, D]
    beside = decoderBeside(decoder.decoder, decoder.step, features!, learnFrom, patches, masks, idx.targetRows, shown);
    everyPredicted?.dispose();
  }
  return { loss: value, grads: named, blocks, beside };
}

export interface StepResult extends Schedules {
  step: number; // the step index that was trained (0-based)
  loss: number;
  applied: boolean; // false when the loss was NaN/Inf: the update was skipped, nothing changed
  blocks?: BlockFeatures<Float32Array>; // the shown image's blocks, [npred, Kt, D] each (when asked for)
  decoderLoss?: number; // the pixel decoder's loss on this batch, before its update (on its learning steps)
  shownPixels?: ShownPixels<Float32Array>; // the shown blocks in pixels, [npred, Kt, P] each (with both)
}

/**
 * Step 1. Schedules for this step. Step 2. Targets from the target encoder (no gradient).
 * Step 3. Context encoder + predictor, loss, gradients. The loss is read back BEFORE the update,
 * so a NaN/Inf loss never reaches the weights (the readback costs no extra sync: it is the step's
 * one readback, and the update's kernels overlap the next step's preparation).
 * Step 4. AdamW. Step 5. EMA of the target encoder, AFTER the optimizer step.
 * Beside it, when the trainer has one, the pixel decoder learns from the same target features.
 */
export async function trainStep(
  trainer: Trainer,
  images: tf.Tensor4D,
  masks: MaskBatch = nextMasks(trainer),
  shownImage?: number,
): Promise<StepResult> {
  const { model, config, decoder } = trainer;
  const step = trainer.step;
  const schedules = schedulesAt(config, step);
  const {
    loss: lossTensor,
    grads,
    blocks,
    beside,
  } = tf.tidy(() => lossAndGrads(model, images, masks, shownImage, decoder && { decoder, step }));
  const [loss, ...read] = await readBack([
    lossTensor,
    beside?.learned?.loss,
    blocks?.targets,
    blocks?.predicted,
    beside?.shown?.input,
    beside?.shown?.truth,
    beside?.shown?.fromTargets,
    beside?.shown?.fromPredicted,
  ]);
  const [decoderLoss, targets, predicted, input, truth, fromTargets, fromPredicted] = read;
  const applied = Number.isFinite(loss![0]);
  if (applied) {
    tf.tidy(() => applyUpdate(trainer, grads, schedules));
    trainer.step += 1;
    const learned = beside?.learned;
    if (decoder && learned && Number.isFinite(decoderLoss![0])) tf.tidy(() => decoderUpdate(decoder, learned.grads));
  }
  tf.dispose([...Object.values(grads), ...Object.values(beside?.learned?.grads ?? {})] as tf.Tensor[]);
  return {
    step,
    loss: loss![0],
    applied,
    ...schedules,
    ...(targets && predicted && { blocks: { targets, predicted } }),
    ...(decoderLoss && { decoderLoss: decoderLoss[0] }),
    ...(input && truth && fromTargets && fromPredicted && { shownPixels: { input, truth, fromTargets, fromPredicted } }),
  };
}

/** The step's one readback: the loss, with whatever else the step shows packed behind it (one GPU
 *  round trip, not several). Frees what it read; an absent tensor reads as undefined. */
async function readBack(tensors: (tf.Tensor | undefined)[]): Promise<(Float32Array | undefined)[]> {
  const present = tensors.filter((t): t is tf.Tensor => t !== undefined);
  const packed = tf.tidy(() => tf.concat(present.map((t) => t.flatten())));
  try {
    const values = (await packed.data()) as Float32Array;
    let offset = 0;
    return tensors.map((t) => {
      if (!t) return undefined;
      offset += t.size;
      return values.slice(offset - t.size, offset);
    });
  } finally {
    tf.dispose([packed, ...present]);
  }
}

/** Steps 4 and 5: AdamW on the encoder and predictor, then the EMA of the target encoder. Call in
 *  tf.tidy. (The WebGPU precompile pass runs the same, in compile-only mode.) */
export function applyUpdate(trainer: Trainer, grads: Record<string, tf.Tensor>, schedules: Schedules): void {
  adamWStep(trainer.optimizer, trainableParams(trainer.model), grads, schedules.lr, schedules.wd);
  emaUpdate(trainer.model.targetEncoder, trainer.model.encoder, schedules.momentum);
}
