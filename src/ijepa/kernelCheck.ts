// How far the fused kernels are from the plain tfjs ops they replace, on the active backend:
// forward values and gradients of LayerNorm, GELU and attention (relative to their size), and the weights after
// two whole training steps (AdamW + EMA fused). Used by the unit tests (CPU) and, through the
// worker's test hook, by the end-to-end test on WebGPU. Async readbacks only (WebGPU-safe).
import { presetConfig, type IJepaConfig } from './config';
import { FUSED_GROUPS, fusedActive, fusedKernelsActive, paramUpdates, setFusedKernels, type FusedGroup } from './fused';
import { addLayerNorm, attention, gelu, layerNorm, linear, MODEL_LN_EPS, type Params } from './layers';
import { createRng } from './rng';
import * as tf from './tf';
import { createTrainer, disposeTrainer, regressionLoss, trainStep } from './trainStep';

export interface FusedErrors {
  active: boolean; // the backend provides the fused kernels (else both sides are the plain ops)
  groups: FusedGroup[]; // which of them
  paramUpdatesInPlace: boolean; // the optimizer updates several parameters per launch, in place (WebGPU)
  layerNorm: number;
  addLayerNorm: number; // a residual add with the LayerNorm after it: both outputs and every input's gradient
  gelu: number;
  attention: number;
  linear: number; // a linear layer's value and its input, weight and bias gradients
  loss: number; // the smooth L1 loss and its gradients (differences inside and outside [-1, 1])
  trainingStep: number; // weights, target weights and Adam moments after two steps
  snapshotChange: number; // how far a snapshot sharing the weights' buffers moved during a step (0: the update wrote copies)
}

async function read(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(tensors);
  return values;
}

/** f's value and the gradients of sum(f * fixed noise) for `inputs`, with fused kernels on or off. */
async function valueAndGrads(fused: boolean, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): Promise<Float32Array[]> {
  setFusedKernels(fused);
  return read(
    tf.tidy(() => {
      const upstream = tf.randomNormal(f(...inputs).shape, 0, 1, 'float32', 7);
      const { grads } = tf.valueAndGrads((...xs: tf.Tensor[]) =>
        f(...xs)
          .mul(upstream)
          .sum(),
      )(inputs);
      return [f(...inputs), ...grads];
    }),
  );
}

/** The largest error of the fused value or gradient, relative to the plain one's largest magnitude
 *  (an attention's gradients are a thousandth of its value's size: an absolute bound would hide them). */
async function opError(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): Promise<number> {
  const fused = await valueAndGrads(true, f, inputs);
  const plain = await valueAndGrads(false, f, inputs);
  return Math.max(...fused.map((a, i) => maxAbsDiff(a, plain[i]) / Math.max(maxAbs(plain[i]), 1e-30)));
}

/** Attention weights large enough that the scores are far from uniform (at init they are ~0, and a
 *  softmax that ignored them would pass). */
function sharpAttention(dim: number): Params {
  const weight = (shape: number[], seed: number) => tf.variable(tf.randomNormal(shape, 0, 0.25, 'float32', seed));
  return {
    'check.qkv.weight': weight([dim, 3 * dim], 11),
    'check.qkv.bias': weight([3 * dim], 12),
    'check.proj.weight': weight([dim, dim], 13),
    'check.proj.bias': weight([dim], 14),
  };
}

/** The fused step's error against the plain one (weights after two steps), and how far a snapshot
 *  that shares the weights' buffers (as the evaluation's `tf.variable(weight)` does) moved during the
 *  second step: a backend that writes the weights in place must give them copies first. */
async function stepErrors(): Promise<{ trainingStep: number; snapshotChange: number }> {
  const config = presetConfig('micro');
  const images = randomImages(config);
  let snapshotChange = 0;
  const weightsAfterTwoSteps = async (fused: boolean) => {
    setFusedKernels(fused);
    const trainer = createTrainer(config);
    await trainStep(trainer, images);
    const shared = [...Object.values(trainer.model.encoder), ...Object.values(trainer.model.targetEncoder)].map((v) =>
      tf.variable(v, false),
    );
    const before = await read(shared.map((v) => v.clone()));
    await trainStep(trainer, images);
    const after = await read(shared.map((v) => v.clone()));
    tf.dispose(shared);
    snapshotChange = Math.max(snapshotChange, ...after.map((a, i) => maxAbsDiff(a, before[i])));
    const { encoder, targetEncoder, predictor } = trainer.model;
    const values = await read(
      [
        ...Object.values(encoder),
        ...Object.values(targetEncoder),
        ...Object.values(predictor),
        trainer.optimizer.expAvg,
        trainer.optimizer.expAvgSq,
      ].map((v) => v.clone()),
    );
    disposeTrainer(trainer);
    return values;
  };
  const fused = await weightsAfterTwoSteps(true);
  const plain = await weightsAfterTwoSteps(false);
  images.dispose();
  return { trainingStep: Math.max(...fused.map((a, i) => maxAbsDiff(a, plain[i]))), snapshotChange };
}

export async function fusedKernelErrors(): Promise<FusedErrors> {
  const config = presetConfig('micro');
  const attentionParams = sharpAttention(config.embedDim);
  const [x, gamma, beta, wide, tokens, nearWide, branch] = [
    tf.randomNormal([3, 5, 16], 0.5, 2, 'float32', 1),
    tf.randomNormal([16], 1, 0.3, 'float32', 2),
    tf.randomNormal([16], 0, 0.3, 'float32', 3),
    tf.randomNormal([4, 33], 0, 3, 'float32', 4),
    tf.randomNormal([2, 9, config.embedDim], 0, 1, 'float32', 5),
    tf.randomNormal([4, 33], 0.3, 1.5, 'float32', 6), // wide minus this: differences inside and outside [-1, 1]
    tf.randomNormal([3, 5, 16], -0.2, 1, 'float32', 7),
  ];
  try {
    return {
      active: fusedKernelsActive(),
      groups: (Object.keys(FUSED_GROUPS) as FusedGroup[]).filter(fusedActive),
      paramUpdatesInPlace: paramUpdates() !== null,
      layerNorm: await opError((a, g, b) => layerNorm(a, MODEL_LN_EPS, g, b), [x, gamma, beta]),
      addLayerNorm: await opError(
        (a, r, g, b) => {
          const [sum, normed] = addLayerNorm(a, r, MODEL_LN_EPS, g, b);
          return sum.mul(0.5).add(normed); // both outputs carry a gradient back
        },
        [x, branch, gamma, beta],
      ),
      gelu: await opError((a) => gelu(a), [wide]),
      attention: await opError((a) => attention(a as tf.Tensor3D, attentionParams, 'check', config.numHeads), [tokens]),
      linear: await opError(
        (a, w, b) => linear(a, w, b),
        [tokens, attentionParams['check.proj.weight'], attentionParams['check.proj.bias']],
      ),
      loss: await opError((p, t) => regressionLoss(p, t, 'smoothL1'), [wide, nearWide]),
      ...(await stepErrors()),
    };
  } finally {
    setFusedKernels(true);
    tf.dispose([x, gamma, beta, wide, tokens, nearWide, branch, ...Object.values(attentionParams)]);
  }
}

/** A fixed batch of smooth random "images" (normalised scale), seeded. */
export function randomImages(config: IJepaConfig, count = config.batchSize, seed = 1): tf.Tensor4D {
  const rng = createRng(seed, 99);
  const s = config.cropSize;
  const data = new Float32Array(count * s * s * 3);
  for (let n = 0; n < count; n++) {
    // a colour gradient plus a bright square: structure the encoder can latch on to
    const [a, b, c] = [rng.next(), rng.next(), rng.next()];
    const x0 = rng.int(0, s / 2),
      y0 = rng.int(0, s / 2);
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const inSquare = x >= x0 && x < x0 + s / 3 && y >= y0 && y < y0 + s / 3 ? 1.5 : 0;
        const base = ((n * s + y) * s + x) * 3;
        data[base] = a * (x / s) * 2 - 1 + inSquare;
        data[base + 1] = b * (y / s) * 2 - 1 + inSquare;
        data[base + 2] = c - 0.5 + 0.1 * rng.normal();
      }
    }
  }
  return tf.tensor4d(data, [count, s, s, 3]);
}

function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]));
  return max;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
