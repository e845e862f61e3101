// Fused kernels for the step's hottest op chains (LayerNorm, GELU, attention from the qkv projection
// to the heads' outputs, and the AdamW + EMA update), and, where tfjs' own are scalar loops (WASM),
// attention's batched matMul, 2-D transposes, a linear layer's parameter gradients and row copies.
// tfjs runs each fused chain as many small kernels (a LayerNorm with its gradient is about thirty),
// and on a GPU it is the number of launches, not the FLOPs, that bounds a small ViT step
// (docs/TFJS_WEBGPU_NOTES.md). Each fused op is a tfjs kernel with its gradient registered here; the
// backends provide them (./webgpu.ts for WebGPU, ./cpu.ts for the CPU and WASM backends, ./wasm.ts in
// SIMD). Where the active backend lacks a group (WebGL has none; WASM has no fused attention: its
// SIMD batched matMuls run the plain path), the layers use the plain tfjs ops, which compute the same.
import * as tf from '../tf';

export const FUSED_KERNELS = {
  layerNorm: 'IJepaLayerNorm', // (x, gamma, beta; eps) -> y over the last axis
  layerNormStats: 'IJepaLayerNormStats', // (x; eps) -> [rows, 2] mean and 1/std
  layerNormGradX: 'IJepaLayerNormGradX', // (x, gamma, dy, stats) -> dx
  layerNormGradParam: 'IJepaLayerNormGradParam', // (x, dy, stats; which 0: gamma, 1: beta) -> [D]
  layerNormGradXStats: 'IJepaLayerNormGradXStats', // (x, gamma, dy, carry?; eps) -> [dx (+ carry), stats [rows, 2]]: one launch, two outputs
  layerNormGradParams: 'IJepaLayerNormGradParams', // (x, dy, stats) -> [dgamma, dbeta]: one launch, two outputs
  addLayerNorm: 'IJepaAddLayerNorm', // (x, r, gamma, beta; eps) -> [x + r, LayerNorm(x + r)]: one launch, two outputs
  gelu: 'IJepaGelu', // exact (erf) GELU
  geluGrad: 'IJepaGeluGrad', // (x, dy) -> dx
  attention: 'IJepaAttention', // (qkv [B, N, 3D]; numHeads, scale) -> every head's softmax(scale q k^T) v, [B, N, D]
  attentionGradRows: 'IJepaAttentionGradRows', // (qkv, dy; numHeads, scale) -> per query row: dq, logsumexp, dy.o [B, H, N, hd + 2]
  attentionGradQkv: 'IJepaAttentionGradQkv', // (qkv, dy, rows; numHeads, scale) -> dqkv [B, N, 3D]
  smoothL1Mean: 'IJepaSmoothL1Mean', // (pred, target) -> the mean smooth L1 (beta 1) of pred - target, a scalar
  smoothL1Grad: 'IJepaSmoothL1Grad', // (pred, target, dy []; scale) -> scale * dy * clamp(pred - target, -1, 1)
  lerp: 'IJepaLerp', // (a, b; keep, square) -> keep * a + (1 - keep) * (square ? b^2 : b)
  adamWParam: 'IJepaAdamWParam', // (param, m, v; offset, decay, stepSize, sqrtBiasCorrection2, eps) -> new param
  batchMatMul: 'IJepaBatchMatMul', // (a, b; transposeA, transposeB) -> [batch, m, n], not both transposed
  transpose: 'IJepaTranspose', // (x) -> x with its last two axes swapped
  matMulTN: 'IJepaMatMulTN', // (x [rows, m], g [rows, n]) -> x^T g [m, n]: a linear layer's weight gradient
  sumRows: 'IJepaSumRows', // (g [rows, n]) -> [n]: its bias gradient
  gatherRows: 'IJepaGatherRows', // (x [R, C], rows int32 [K]) -> [K, C]
  tileRows: 'IJepaTileRows', // (x [R, ...]; times) -> [times * R, ...]: x repeated along its first axis
} as const;

export type FusedKernelName = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

/** Kernels that are used together (an op and its gradient): a backend fuses a group or not at all. */
export const FUSED_GROUPS = {
  layerNorm: [FUSED_KERNELS.layerNorm, FUSED_KERNELS.layerNormStats, FUSED_KERNELS.layerNormGradX, FUSED_KERNELS.layerNormGradParam],
  // WebGPU's: the same forward, the backward in 2 launches (two outputs each) instead of 4
  layerNormTwoOutputs: [FUSED_KERNELS.layerNorm, FUSED_KERNELS.layerNormGradXStats, FUSED_KERNELS.layerNormGradParams],
  // WebGPU's: a block's residual add and the LayerNorm after it in one launch; its gradient adds the
  // residual's in the LayerNorm's (two launches, where tfjs' add and its gradient's sum were two more)
  addLayerNorm: [FUSED_KERNELS.addLayerNorm, FUSED_KERNELS.layerNormGradXStats, FUSED_KERNELS.layerNormGradParams],
  gelu: [FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad],
  attention: [FUSED_KERNELS.attention, FUSED_KERNELS.attentionGradRows, FUSED_KERNELS.attentionGradQkv],
  optimizer: [FUSED_KERNELS.lerp, FUSED_KERNELS.adamWParam],
  smoothL1: [FUSED_KERNELS.smoothL1Mean, FUSED_KERNELS.smoothL1Grad], // the loss in 2 launches and its gradient in 1 (tfjs' ops: ~20)
  batchMatMul: [FUSED_KERNELS.batchMatMul],
  transpose: [FUSED_KERNELS.transpose],
  linearGrad: [FUSED_KERNELS.matMulTN, FUSED_KERNELS.sumRows],
  columnSums: [FUSED_KERNELS.sumRows], // a bias gradient in one launch (tfjs' WebGPU column sum transposes first)
  copies: [FUSED_KERNELS.gatherRows, FUSED_KERNELS.tileRows],
} as const satisfies Record<string, readonly FusedKernelName[]>;

export type FusedGroup = keyof typeof FUSED_GROUPS;

/** Elements of a shape. */
export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** A tensor as rows of its last axis (what the row kernels loop over). */
export const rowsCols = (shape: number[]) => ({ cols: shape[shape.length - 1], rows: size(shape) / shape[shape.length - 1] });
/** The permutation that swaps the last two of `rank` axes. */
export function lastTwoSwapped(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

let switchedOn = true;

/** Turns the fused kernels off (or on again) for every backend: for benchmarks and tests that
 *  compare the fused step with the plain one. */
export function setFusedKernels(on: boolean): void {
  switchedOn = on;
}

/** Are fusions switched on? (tfjs' own fused matMul + bias needs no kernel of ours.) */
export const fusionOn = () => switchedOn;

/** Does the active backend provide this group of fused kernels (and are they switched on)? */
export function fusedActive(group: FusedGroup): boolean {
  if (!switchedOn) return false;
  const backend = tf.getBackend();
  return FUSED_GROUPS[group].every((name) => tf.getKernel(name, backend) !== undefined);
}

/** Does the active backend run any fused kernel of ours? */
export const fusedKernelsActive = () => (Object.keys(FUSED_GROUPS) as FusedGroup[]).some(fusedActive);

const run = (name: FusedKernelName, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}) =>
  tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
const runTwo = (name: FusedKernelName, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}) =>
  tf.engine().runKernel(name, inputs, attrs) as unknown as [tf.Tensor, tf.Tensor];

/** Does the active backend fuse LayerNorm, with either backward? */
export const fusedLayerNormActive = () => fusedActive('layerNorm') || fusedActive('layerNormTwoOutputs');

/** x + r and the LayerNorm of it, both, in one kernel (WebGPU). */
export const fusedAddLayerNorm = (x: tf.Tensor, r: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number) =>
  runTwo(FUSED_KERNELS.addLayerNorm, { x, r, gamma, beta }, { eps });

export const fusedLayerNorm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number) =>
  run(FUSED_KERNELS.layerNorm, { x, gamma, beta }, { eps });
export const fusedGelu = (x: tf.Tensor) => run(FUSED_KERNELS.gelu, { x });
/** Multi-head attention after the qkv projection, in one kernel: qkv [B, N, 3D] with channels laid out
 *  [3, heads, headDim] (the reference's), read where the projection wrote them, and the heads' outputs
 *  written side by side, [B, N, D], ready for the output projection. Its gradient is two kernels. */
export const fusedAttention = (qkv: tf.Tensor3D, numHeads: number, scale: number) =>
  run(FUSED_KERNELS.attention, { qkv }, { numHeads, scale }) as tf.Tensor3D;
/** The mean smooth L1 (beta 1) of pred - target, I-JEPA's loss, in one kernel with a one-kernel gradient. */
export const fusedSmoothL1 = (pred: tf.Tensor, target: tf.Tensor) => run(FUSED_KERNELS.smoothL1Mean, { pred, target }) as tf.Scalar;
/** keep * a + (1 - keep) * b (or b squared): Adam's moments and the EMA in one kernel each. */
export const lerpInto = (a: tf.Tensor, b: tf.Tensor, keep: number, square = false) =>
  run(FUSED_KERNELS.lerp, { a, b }, { keep, square: square ? 1 : 0 });
/** param * decay - stepSize * m / (sqrt(v) / sqrtBiasCorrection2 + eps), as torch's AdamW; m and v
 *  are the flat moments of every parameter, and this parameter's start at `offset`. */
export const adamWParam = (
  param: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  attrs: { offset: number; decay: number; stepSize: number; sqrtBiasCorrection2: number; eps: number },
) => run(FUSED_KERNELS.adamWParam, { param, m, v }, attrs);

/** One parameter's AdamW update, for the backends that update many parameters per launch. */
export interface AdamWUpdate {
  param: tf.Variable;
  grad: tf.Tensor;
  offset: number; // where its moments start in the flat moment vectors
  decay: number; // 1 - lr * wd, or 1 where it is not decayed
}

export interface AdamWScalars {
  beta1: number;
  beta2: number;
  stepSize: number; // lr / (1 - beta1^step)
  sqrtBiasCorrection2: number;
  eps: number;
}

/** The optimizer's updates of many parameters in a few launches, written in place, where a backend
 *  has them (WebGPU: ./webgpuMulti.ts). They compute what lerpInto and adamWParam compute. */
export interface ParamUpdates {
  adamW(updates: AdamWUpdate[], m: tf.Variable, v: tf.Variable, scalars: AdamWScalars): void;
  ema(pairs: { target: tf.Variable; online: tf.Tensor }[], keep: number): void;
}

const paramUpdatesByBackend = new Map<string, ParamUpdates>();

export function registerParamUpdates(backendName: string, updates: ParamUpdates): void {
  paramUpdatesByBackend.set(backendName, updates);
}

/** The active backend's many-parameter updates, where it has them (and fusions are switched on). */
export const paramUpdates = (): ParamUpdates | null => (switchedOn ? (paramUpdatesByBackend.get(tf.getBackend()) ?? null) : null);

/** a @ b for every batch entry (rank 3, the same batch), reading either operand transposed: our
 *  kernel where the backend has one (WASM, ./wasm.ts), else tfjs' matMul. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  if (!fusedActive('batchMatMul') || (transposeA && transposeB)) return tf.matMul(a, b, transposeA, transposeB);
  return run(FUSED_KERNELS.batchMatMul, { a, b }, { transposeA: Number(transposeA), transposeB: Number(transposeB) }) as tf.Tensor3D;
}

/** x with its last two axes swapped (a batch of 2-D transposes): our kernel where the backend has one
 *  (WASM, ./wasm.ts: 4 x 4 SIMD tiles, 3-25x tfjs' loop), else tf.transpose. */
export function transposeLastTwo<T extends tf.Tensor>(x: T): T {
  if (fusedActive('transpose')) return run(FUSED_KERNELS.transpose, { x }) as T;
  return x.transpose(lastTwoSwapped(x.rank));
}

/** The sum of g's rows, [rows, n] -> [n]: our kernel where the backend has it (WASM, WebGPU), else tf.sum. */
const sumOfRows = (g: tf.Tensor2D): tf.Tensor1D =>
  fusedActive('columnSums') ? (run(FUSED_KERNELS.sumRows, { g }) as tf.Tensor1D) : g.sum(0);

/** A linear layer's weight and bias gradients from its input x [rows, in] and output gradient g
 *  [rows, out], neither transposed first: our kernels where the backend has them (WASM; WebGPU the
 *  bias' only), else tfjs'. */
export function linearParamGrads(x: tf.Tensor2D, g: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] {
  const weightGrad = fusedActive('linearGrad') ? run(FUSED_KERNELS.matMulTN, { x, g }) : tf.matMul(x, g, true, false);
  return [weightGrad as tf.Tensor2D, sumOfRows(g)];
}

/** The rows of x [R, C] at `rows` (int32 [K]), [K, C]: our kernel where the backend has one (WASM: a
 *  copy per row), else tf.gather. */
export function gatherRows(x: tf.Tensor2D, rows: tf.Tensor1D): tf.Tensor2D {
  if (fusedActive('copies')) return run(FUSED_KERNELS.gatherRows, { x, rows }, { numRows: x.shape[0] }) as tf.Tensor2D;
  return tf.gather(x, rows);
}

/** x repeated `times` times along its first axis (tf.tile with [times, 1, ...]): our kernel where the
 *  backend has one (WASM: one copy per repeat), else tf.tile. */
export function tileRows<T extends tf.Tensor>(x: T, times: number): T {
  if (fusedActive('copies')) return run(FUSED_KERNELS.tileRows, { x }, { times }) as T;
  return x.tile([times, ...x.shape.slice(1).map(() => 1)]);
}

tf.registerGradient({
  kernelName: FUSED_KERNELS.gatherRows,
  inputsToSave: ['rows'],
  gradFunc: (dy, [rows], attrs) => ({
    // each row's gradient summed where it was gathered: one-hot^T dy (WASM has no UnsortedSegmentSum)
    x: () => tf.matMul(tf.oneHot(rows as tf.Tensor1D, attrs.numRows as number).toFloat(), dy as tf.Tensor2D, true, false),
    rows: () => tf.zerosLike(rows),
  }),
});

// the copies' gradients summed: one pass over dy seen as [times, the rest]
tf.registerGradient({
  kernelName: FUSED_KERNELS.tileRows,
  gradFunc: (dy, _saved, attrs) => {
    const g = dy as tf.Tensor;
    const times = attrs.times as number;
    const shape = [g.shape[0] / times, ...g.shape.slice(1)];
    return { x: () => sumOfRows(g.reshape([times, -1]) as tf.Tensor2D).reshape(shape) };
  },
});

tf.registerGradient({
  kernelName: FUSED_KERNELS.transpose,
  gradFunc: (dy) => ({ x: () => transposeLastTwo(dy as tf.Tensor) }),
});

// tfjs' BatchMatMul gradient, in the three forms the kernel has (both transposed never arises)
tf.registerGradient({
  kernelName: FUSED_KERNELS.batchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b, g] = [...saved, dy] as tf.Tensor3D[];
    if (attrs.transposeA) return { a: () => batchMatMul(b, g, false, true), b: () => batchMatMul(a, g) };
    if (attrs.transposeB) return { a: () => batchMatMul(g, b), b: () => batchMatMul(g, a, true) };
    return { a: () => batchMatMul(g, b, false, true), b: () => batchMatMul(a, g, true) };
  },
});

tf.registerGradient({
  kernelName: FUSED_KERNELS.layerNorm,
  inputsToSave: ['x', 'gamma'],
  gradFunc: (dy, saved, attrs) => {
    const [x, gamma] = saved;
    const eps = attrs.eps as number;
    if (fusedActive('layerNormTwoOutputs')) {
      const [dx, stats] = runTwo(FUSED_KERNELS.layerNormGradXStats, { x, gamma, dy: dy as tf.Tensor }, { eps });
      const [dGamma, dBeta] = runTwo(FUSED_KERNELS.layerNormGradParams, { x, dy: dy as tf.Tensor, stats });
      return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
    }
    const stats = run(FUSED_KERNELS.layerNormStats, { x }, { eps }); // [rows, 2]
    const grad = dy as tf.Tensor;
    return {
      x: () => run(FUSED_KERNELS.layerNormGradX, { x, gamma, dy: grad, stats }),
      gamma: () => run(FUSED_KERNELS.layerNormGradParam, { x, dy: grad, stats }, { which: 0 }),
      beta: () => run(FUSED_KERNELS.layerNormGradParam, { x, dy: grad, stats }, { which: 1 }),
    };
  },
});

// d/dpred of the mean: clamp(pred - target, -1, 1) / n (the smooth L1's slope is d inside [-1, 1], its
// sign outside); the target's (its negative) is asked for only where a gradient flows into the target
tf.registerGradient({
  kernelName: FUSED_KERNELS.smoothL1Mean,
  inputsToSave: ['pred', 'target'],
  gradFunc: (dy, [pred, target]) => {
    const slope = () => run(FUSED_KERNELS.smoothL1Grad, { pred, target, dy: dy as tf.Tensor }, { scale: 1 / pred.size });
    return { pred: slope, target: () => slope().neg() };
  },
});

// the sum's gradient is what reaches it from after the block (dys[0]) plus the LayerNorm's; x and r get
// the same values (a clone for r: tfjs may dispose one input's gradient while adding to it)
tf.registerGradient({
  kernelName: FUSED_KERNELS.addLayerNorm,
  inputsToSave: ['gamma'],
  outputsToSave: [true, false],
  gradFunc: (dys, saved, attrs) => {
    const [carry, dy] = dys as tf.Tensor[];
    const [gamma, sum] = saved;
    const [dx, stats] = runTwo(FUSED_KERNELS.layerNormGradXStats, { x: sum, gamma, dy, carry }, { eps: attrs.eps as number });
    const [dGamma, dBeta] = runTwo(FUSED_KERNELS.layerNormGradParams, { x: sum, dy, stats });
    return { x: () => dx, r: () => dx.clone(), gamma: () => dGamma, beta: () => dBeta };
  },
});

tf.registerGradient({
  kernelName: FUSED_KERNELS.gelu,
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({ x: () => run(FUSED_KERNELS.geluGrad, { x, dy: dy as tf.Tensor }) }),
});

// FlashAttention's backward, in two passes that keep nothing of the forward but its input: one thread
// per query row recomputes its softmax row and writes dq with the row's logsumexp and dy.o; one thread
// per key row then rebuilds its column of probabilities from those and writes dk and dv (and copies dq),
// so the whole gradient lands in the projection's layout.
tf.registerGradient({
  kernelName: FUSED_KERNELS.attention,
  inputsToSave: ['qkv'],
  gradFunc: (dy, [qkv], attrs) => ({
    qkv: () => {
      const heads = { numHeads: attrs.numHeads as number, scale: attrs.scale as number };
      const rows = run(FUSED_KERNELS.attentionGradRows, { qkv, dy: dy as tf.Tensor }, heads); // [B, H, N, hd + 2]
      return run(FUSED_KERNELS.attentionGradQkv, { qkv, dy: dy as tf.Tensor, rows }, heads); // [B, N, 3D]
    },
  }),
});
