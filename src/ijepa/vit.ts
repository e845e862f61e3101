// The ViT encoder (reference: VisionTransformer in src/models/vision_transformer.py): conv patch
// embed -> + fixed sin-cos position -> keep the masked tokens -> pre-norm blocks -> final LayerNorm.
// No CLS token. The same function runs the encoder (context tokens) and the target encoder (all).
import type { IJepaConfig } from './config';
import { blocksThenNorm, blockShapes, linear, type Params } from './layers';
import * as tf from './tf';

/** Encoder parameter shapes in tfjs layout, keyed by the reference's state-dict names. The conv
 *  patch embed is a Linear on flattened patches: weight [p*p*3, D] with rows in (y, x, channel) order. */
export function encoderShapes(c: IJepaConfig): Record<string, number[]> {
  const shapes: Record<string, number[]> = {
    'patch_embed.proj.weight': [c.patchSize * c.patchSize * 3, c.embedDim],
    'patch_embed.proj.bias': [c.embedDim],
  };
  for (let i = 0; i < c.depth; i++) Object.assign(shapes, blockShapes(`blocks.${i}`, c.embedDim, c.mlpRatio));
  shapes['norm.weight'] = [c.embedDim];
  shapes['norm.bias'] = [c.embedDim];
  return shapes;
}

/** [B, H, W, 3] images -> [B, N, p*p*3] patches in raster order (the conv's receptive fields). */
export function patchify(images: tf.Tensor4D, patchSize: number): tf.Tensor3D {
  const [B, H, W, C] = images.shape;
  const gh = H / patchSize;
  const gw = W / patchSize;
  return images
    .reshape([B, gh, patchSize, gw, patchSize, C])
    .transpose([0, 1, 3, 2, 4, 5]) // [B, gh, gw, p, p, C]
    .reshape([B, gh * gw, patchSize * patchSize * C]);
}

/**
 * Picks K tokens per image: out[b, k] = x[b, cells[b, k]]. A batched one-hot matMul rather than a
 * gather: its gradient is one matMul, where gather's (unsortedSegmentSum) took 40% of a CPU step.
 */
export function selectTokens(x: tf.Tensor3D, cells: tf.Tensor1D, perImage: number): tf.Tensor3D {
  const [B, N] = x.shape;
  const selector = tf.oneHot(cells, N).toFloat().reshape([B, perImage, N]); // [B, K, N]
  return tf.matMul(selector, x) as tf.Tensor3D; // [B, K, D]
}

/** Encodes patches; with `keepCells` ([B*K] cell per kept token), only those tokens go through the
 *  blocks, selected after the position embedding as the reference's apply_masks. */
export function encode(
  p: Params,
  config: IJepaConfig,
  posEmbed: tf.Tensor2D, // [N, D]
  patches: tf.Tensor3D, // [B, N, P]
  keepCells?: tf.Tensor1D, // [B * K] int32
  keepPerImage?: number,
): tf.Tensor3D {
  let x = linear(patches, p['patch_embed.proj.weight'], p['patch_embed.proj.bias']).add(posEmbed) as tf.Tensor3D; // [B, N, D]
  if (keepCells && keepPerImage) x = selectTokens(x, keepCells, keepPerImage); // [B, K, D]
  return blocksThenNorm(x, p, 'blocks', config.depth, config.numHeads, ['norm.weight', 'norm.bias']); // [B, K, D]
}
