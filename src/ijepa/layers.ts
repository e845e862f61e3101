// The ViT building blocks as plain functions of tensors and named parameters. Parameters are in
// tfjs layout: Linear weights [in, out]; src/ijepa/checkpoint.ts converts to PyTorch's [out, in].
import {
  batchMatMul,
  fusedActive,
  fusedAddLayerNorm,
  fusedAttention,
  fusedGelu,
  fusedLayerNorm,
  fusedLayerNormActive,
  fusionOn,
  linearParamGrads,
  transposeLastTwo,
} from './fused';
import * as tf from './tf';

export type Params = Record<string, tf.Variable>;

/** LayerNorm eps of every model norm (the reference builds them with eps 1e-6). */
export const MODEL_LN_EPS = 1e-6;

/** x @ W + b over the last axis. 2-D matMul: the broadcast-batch form has no gradient (tfjs #8721).
 *  tfjs' fused matMul adds the bias in the same kernel (one launch fewer per linear layer). */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [inDim, outDim] = weight.shape;
  const rows = x.reshape([-1, inDim]) as tf.Tensor2D;
  const y = plainMatMulsOnly()
    ? linearPlainMatMuls(rows, weight as tf.Tensor2D, bias as tf.Tensor1D)
    : fusedActive('columnSums')
      ? linearColumnSums(rows, weight as tf.Tensor2D, bias as tf.Tensor1D)
      : affine(rows, weight as tf.Tensor2D, bias); // [rows, out]
  return y.reshape([...x.shape.slice(0, -1), outDim]);
}

const affine = (rows: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor) =>
  fusionOn() ? tf.fused.matMul({ a: rows, b: weight, bias }) : rows.matMul(weight).add(bias);

/** tfjs' WASM backend runs only an untransposed, unbatched matMul on XNNPACK (SIMD, on every thread);
 *  a transposed or batched one falls to a scalar loop, 6-7x slower (docs/TFJS_WEBGPU_NOTES.md). */
const plainMatMulsOnly = () => tf.getBackend() === 'wasm';

/** tfjs' fused matMul + bias (x [rows, in], weight [in, out], bias [out]) with a gradient of ours:
 *  `grads(x, weight, dy)` gives [dx, dweight, dbias]. */
const linearWithGrad = (grads: (x: tf.Tensor2D, weight: tf.Tensor2D, g: tf.Tensor2D) => tf.Tensor[]) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, weight, bias, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, weight]);
    const value = affine(x as tf.Tensor2D, weight as tf.Tensor2D, bias); // [rows, out]
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], [xs, w]: tf.Tensor[]) => grads(xs as tf.Tensor2D, w as tf.Tensor2D, dy as tf.Tensor2D);
    return { value, gradFunc };
  }) as (x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

/** The linear layer with a gradient whose matMuls are all untransposed: the transposes they need are
 *  made explicitly, of the weight (small) and of the narrower of input and output gradient. With the
 *  SIMD kernels (the `linearGrad` group) the weight's gradient reads x where it is, and the bias' sums
 *  the columns of g in one pass (tfjs' column sum is a strided scalar loop, ~10 ns a value). */
const linearPlainMatMuls = linearWithGrad((xs, w, g) => {
  const [inDim, outDim] = w.shape;
  const dx = tf.matMul(g, transposeLastTwo(w)); // [rows, in]
  if (fusedActive('linearGrad')) return [dx, ...linearParamGrads(xs, g)]; // [in, out], [out]
  const dw = inDim <= outDim ? tf.matMul(transposeLastTwo(xs), g) : transposeLastTwo(tf.matMul(transposeLastTwo(g), xs)); // [in, out]
  return [dx, dw, g.sum(0)];
});

/** The linear layer with the gradient tfjs gives it except the bias' part: one column-sum kernel of
 *  ours, where tfjs' WebGPU sum over rows transposes g first (two launches per layer, 28 of a `tiny`
 *  step's ~520). */
const linearColumnSums = linearWithGrad((xs, w, g) => [tf.matMul(g, w, false, true), ...linearParamGrads(xs, g)]); // [rows, in], [in, out], [out]

/** LayerNorm over the last axis from moments (tf.layers' version tiles mean/variance). */
export function layerNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  if (weight && bias && fusedLayerNormActive()) return fusedLayerNorm(x, weight, bias, eps);
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = x.sub(mean).mul(tf.rsqrt(variance.add(eps)));
  return weight && bias ? normed.mul(weight).add(bias) : normed;
}

/** x + r, and the LayerNorm of it: one kernel where the backend has it (WebGPU), else two. */
export function addLayerNorm(x: tf.Tensor, r: tf.Tensor, eps: number, weight: tf.Tensor, bias: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (fusedActive('addLayerNorm')) return fusedAddLayerNorm(x, r, weight, bias, eps);
  const sum = x.add(r);
  return [sum, layerNorm(sum, eps, weight, bias)];
}

/** Exact (erf) GELU, as torch.nn.GELU(). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fusedActive('gelu')) return fusedGelu(x);
  return x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
}

/**
 * Multi-head self-attention; qkv channels are laid out [3, heads, headDim] as the reference's. Where
 * the backend has the fused attention (WebGPU, and the CPU backend that the unit tests check it on),
 * one kernel reads q, k and v where the projection wrote them. Elsewhere (WASM, WebGL) the
 * heads are folded into the batch by a 2-D transpose per image ([N, 3D] -> [3D, N], which every
 * backend does fast), after which q, k and v of every head are contiguous [headDim, N] blocks; the
 * matMuls read them transposed, and the heads' outputs come back with one more 2-D transpose. (The
 * previous layout's 5-D transpose ran tfjs' generic per-element loop on WASM: a fifth of a step.)
 */
export function attention(x: tf.Tensor3D, p: Params, prefix: string, numHeads: number): tf.Tensor3D {
  const [B, N, D] = x.shape;
  const headDim = D / numHeads;
  const scale = 1 / Math.sqrt(headDim);
  if (fusedActive('attention')) {
    // one kernel from the projection's output to the heads' outputs (two for its gradient), where the
    // path below launches about ten on a GPU (transposes, a split, two batched matMuls, the softmax)
    const qkv = linear(x, p[`${prefix}.qkv.weight`], p[`${prefix}.qkv.bias`]) as tf.Tensor3D; // [B, N, 3D]
    const mixed = fusedAttention(qkv, numHeads, scale); // [B, N, D]
    return linear(mixed, p[`${prefix}.proj.weight`], p[`${prefix}.proj.bias`]) as tf.Tensor3D; // [B, N, D]
  }
  const [qT, kT, vT] = transposedHeads(x, p, prefix).map((t) => t.reshape([B * numHeads, headDim, N]) as tf.Tensor3D); // each [B*h, hd, N]
  const scores = batchMatMul(qT, kT, true, false); // [B*h, N, N]
  const weights = tf.softmax(scores.mul(scale), -1); // [B*h, N, N]
  const mixedT = batchMatMul(vT, weights as tf.Tensor3D, false, true); // [B*h, hd, N]
  const merged = transposeLastTwo(mixedT.reshape([B, D, N])); // [B, N, D]
  return linear(merged, p[`${prefix}.proj.weight`], p[`${prefix}.proj.bias`]) as tf.Tensor3D; // [B, N, D]
}

/** q, k and v, each [B, D, N] (every image's tokens as columns). On a GPU one projection, transposed
 *  and split (tf.split: its gradient is one concat, where three slices' are three pads and two adds).
 *  On the CPU backends three projections by the weight's column blocks instead, because splitting the
 *  activations there is slow: WASM's Slice reads its entire input back first, the CPU backend's copies
 *  a non-contiguous slice element by element (a quarter of a `tiny` CPU step, measured). */
function transposedHeads(x: tf.Tensor3D, p: Params, prefix: string): tf.Tensor[] {
  const [weight, bias] = [p[`${prefix}.qkv.weight`], p[`${prefix}.qkv.bias`]]; // [D, 3D], [3D]
  if (!CPU_BACKENDS.includes(tf.getBackend())) return tf.split(transposeLastTwo(linear(x, weight, bias)), 3, 1); // [B, 3D, N] -> 3 x [B, D, N]
  const [weights, biases] = [tf.split(weight, 3, 1), tf.split(bias, 3)];
  return weights.map((w, i) => transposeLastTwo(linear(x, w, biases[i]))); // 3 x [B, D, N]
}

const CPU_BACKENDS = ['cpu', 'wasm'];

/** `depth` pre-norm transformer blocks (`prefix.0` on; each x + attn(LN(x)), then x + mlp(LN(x))) and
 *  the LayerNorm after them (`norm`: its weight and bias names). Every residual add is one launch with
 *  the LayerNorm that follows it, where the backend fuses them (WebGPU): a block's second with the
 *  next block's norm1, the last block's with `norm`. */
export function blocksThenNorm(
  x: tf.Tensor3D,
  p: Params,
  prefix: string,
  depth: number,
  numHeads: number,
  norm: [string, string],
): tf.Tensor3D {
  const normAt = (i: number): [tf.Tensor, tf.Tensor] =>
    i < depth ? [p[`${prefix}.${i}.norm1.weight`], p[`${prefix}.${i}.norm1.bias`]] : [p[norm[0]], p[norm[1]]];
  let normed = layerNorm(x, MODEL_LN_EPS, ...normAt(0)) as tf.Tensor3D;
  for (let i = 0; i < depth; i++) {
    // A scope of its own: what the block's gradient needs is saved by its kernels (copies); the rest is
    // freed here, not when the whole forward pass ends (a `tiny` step's forward peaked at ~500 MB without it)
    const [out, outNormed] = tf.tidy(() => block(x, normed, p, `${prefix}.${i}`, numHeads, normAt(i + 1)));
    if (i > 0) x.dispose(); // the previous block's output (never the caller's input)
    normed.dispose();
    [x, normed] = [out, outNormed];
  }
  if (depth > 0) x.dispose();
  return normed;
}

/** One block on x and its norm1(x); returns its output and `nextNorm` of it. */
function block(x: tf.Tensor3D, norm1: tf.Tensor3D, p: Params, prefix: string, numHeads: number, nextNorm: [tf.Tensor, tf.Tensor]) {
  const [h, norm2] = addLayerNorm(
    x,
    attention(norm1, p, `${prefix}.attn`, numHeads),
    MODEL_LN_EPS,
    p[`${prefix}.norm2.weight`],
    p[`${prefix}.norm2.bias`],
  );
  const hidden = gelu(linear(norm2, p[`${prefix}.mlp.fc1.weight`], p[`${prefix}.mlp.fc1.bias`]));
  return addLayerNorm(h, linear(hidden, p[`${prefix}.mlp.fc2.weight`], p[`${prefix}.mlp.fc2.bias`]), MODEL_LN_EPS, ...nextNorm) as [
    tf.Tensor3D,
    tf.Tensor3D,
  ];
}

/** Parameter shapes (tfjs layout) of one block of width `dim`. */
export function blockShapes(prefix: string, dim: number, mlpRatio: number): Record<string, number[]> {
  const hidden = dim * mlpRatio;
  return {
    [`${prefix}.norm1.weight`]: [dim],
    [`${prefix}.norm1.bias`]: [dim],
    [`${prefix}.attn.qkv.weight`]: [dim, 3 * dim],
    [`${prefix}.attn.qkv.bias`]: [3 * dim],
    [`${prefix}.attn.proj.weight`]: [dim, dim],
    [`${prefix}.attn.proj.bias`]: [dim],
    [`${prefix}.norm2.weight`]: [dim],
    [`${prefix}.norm2.bias`]: [dim],
    [`${prefix}.mlp.fc1.weight`]: [dim, hidden],
    [`${prefix}.mlp.fc1.bias`]: [hidden],
    [`${prefix}.mlp.fc2.weight`]: [hidden, dim],
    [`${prefix}.mlp.fc2.bias`]: [dim],
  };
}
