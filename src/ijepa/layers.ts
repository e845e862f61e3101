// The ViT building blocks as plain functions of tensors and named parameters. Parameters are in
// tfjs layout: Linear weights [in, out]; src/ijepa/checkpoint.ts converts to PyTorch's [out, in].
import { fusedGelu, fusedKernelsActive, fusedLayerNorm, fusionOn, scaledSoftmax } from './fused';
import * as tf from './tf';

export type Params = Record<string, tf.Variable>;

/** LayerNorm eps of every model norm (the reference builds them with eps 1e-6). */
export const MODEL_LN_EPS = 1e-6;

/** x @ W + b over the last axis. 2-D matMul: the broadcast-batch form has no gradient (tfjs #8721).
 *  tfjs' fused matMul adds the bias in the same kernel (one launch fewer per linear layer). */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [inDim, outDim] = weight.shape;
  const rows = x.reshape([-1, inDim]) as tf.Tensor2D;
  const y = fusionOn() ? tf.fused.matMul({ a: rows, b: weight as tf.Tensor2D, bias }) : rows.matMul(weight).add(bias); // [rows, out]
  return y.reshape([...x.shape.slice(0, -1), outDim]);
}

/** LayerNorm over the last axis from moments (tf.layers' version tiles mean/variance). */
export function layerNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  if (weight && bias && fusedKernelsActive()) return fusedLayerNorm(x, weight, bias, eps);
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = x.sub(mean).mul(tf.rsqrt(variance.add(eps)));
  return weight && bias ? normed.mul(weight).add(bias) : normed;
}

/** Exact (erf) GELU, as torch.nn.GELU(). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fusedKernelsActive()) return fusedGelu(x);
  return x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
}

/** Multi-head self-attention; qkv channels are laid out [3, heads, headDim] as the reference's. */
export function attention(x: tf.Tensor3D, p: Params, prefix: string, numHeads: number): tf.Tensor3D {
  const [B, N, D] = x.shape;
  const headDim = D / numHeads;
  const qkv = linear(x, p[`${prefix}.qkv.weight`], p[`${prefix}.qkv.bias`]); // [B, N, 3D]
  // one transpose to [3, B*h, N, hd]: q, k, v are then contiguous slices (tf.split on the last
  // axis copied element by element and took 18% of a CPU step)
  const heads = qkv
    .reshape([B, N, 3, numHeads, headDim])
    .transpose([2, 0, 3, 1, 4])
    .reshape([3, B * numHeads, N, headDim]);
  const [q, k, v] = [0, 1, 2].map((i) => heads.slice([i, 0, 0, 0], [1, B * numHeads, N, headDim]).reshape([B * numHeads, N, headDim])); // each [B*h, N, hd]
  const scores = tf.matMul(q, k, false, true); // [B*h, N, N]
  const scale = 1 / Math.sqrt(headDim);
  const weights = fusedKernelsActive() ? scaledSoftmax(scores, scale) : tf.softmax(scores.mul(scale), -1); // [B*h, N, N]
  const mixed = tf.matMul(weights, v); // [B*h, N, hd]
  const merged = mixed.reshape([B, numHeads, N, headDim]).transpose([0, 2, 1, 3]).reshape([B, N, D]);
  return linear(merged, p[`${prefix}.proj.weight`], p[`${prefix}.proj.bias`]) as tf.Tensor3D; // [B, N, D]
}

/** Pre-norm transformer block: x + attn(LN(x)), then x + mlp(LN(x)). */
export function block(x: tf.Tensor3D, p: Params, prefix: string, numHeads: number): tf.Tensor3D {
  const norm1 = layerNorm(x, MODEL_LN_EPS, p[`${prefix}.norm1.weight`], p[`${prefix}.norm1.bias`]) as tf.Tensor3D;
  const h = x.add(attention(norm1, p, `${prefix}.attn`, numHeads)) as tf.Tensor3D;
  const norm2 = layerNorm(h, MODEL_LN_EPS, p[`${prefix}.norm2.weight`], p[`${prefix}.norm2.bias`]);
  const hidden = gelu(linear(norm2, p[`${prefix}.mlp.fc1.weight`], p[`${prefix}.mlp.fc1.bias`]));
  return h.add(linear(hidden, p[`${prefix}.mlp.fc2.weight`], p[`${prefix}.mlp.fc2.bias`])) as tf.Tensor3D;
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
