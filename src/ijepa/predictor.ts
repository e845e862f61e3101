// The narrow predictor ViT (reference: VisionTransformerPredictor): embeds the context tokens to
// width Dp, adds position at the context cells, appends one mask token per target cell (learned
// mask_token + position), runs its blocks, and projects the mask-token outputs back to width D (or to
// a patch's pixels, for the paper's pixel-target ablation: `targetWidth`).
import { targetWidth, type IJepaConfig } from './config';
import { gatherRows, tileRows } from './fused';
import { blocksThenNorm, blockShapes, linear, type Params } from './layers';
import * as tf from './tf';

export function predictorShapes(c: IJepaConfig): Record<string, number[]> {
  const shapes: Record<string, number[]> = {
    'predictor_embed.weight': [c.embedDim, c.predEmbedDim],
    'predictor_embed.bias': [c.predEmbedDim],
    mask_token: [1, 1, c.predEmbedDim],
  };
  for (let i = 0; i < c.predDepth; i++) Object.assign(shapes, blockShapes(`predictor_blocks.${i}`, c.predEmbedDim, c.mlpRatio));
  shapes['predictor_norm.weight'] = [c.predEmbedDim];
  shapes['predictor_norm.bias'] = [c.predEmbedDim];
  shapes['predictor_proj.weight'] = [c.predEmbedDim, targetWidth(c)];
  shapes['predictor_proj.bias'] = [targetWidth(c)];
  return shapes;
}

/**
 * Predicts the target-block representations from the context representations.
 * Output rows are mask-major (row j * B + b), like the reference's apply_masks.
 */
export function predict(
  p: Params,
  config: IJepaConfig,
  predictorPosEmbed: tf.Tensor2D, // [N, Dp]
  context: tf.Tensor3D, // [B, Kc, D]
  contextCells: tf.Tensor1D, // [B * Kc] int32 cell index per context token
  targetCells: tf.Tensor1D, // [npred * B * Kt] int32 cell index per target token, mask-major
  targetTokens: number, // Kt
): tf.Tensor3D {
  const [B, Kc] = context.shape;
  const Dp = config.predEmbedDim;
  const npred = targetCells.shape[0] / (B * targetTokens); // the plan's target blocks per image
  const ctxPos = gatherRows(predictorPosEmbed, contextCells).reshape([B, Kc, Dp]); // [B, Kc, Dp]
  const x = linear(context, p['predictor_embed.weight'], p['predictor_embed.bias']).add(ctxPos); // [B, Kc, Dp]
  const tgtPos = gatherRows(predictorPosEmbed, targetCells).reshape([npred * B, targetTokens, Dp]);
  const maskTokens = tgtPos.add(p.mask_token); // [npred*B, Kt, Dp]
  // every target block sees its image's full context: repeat the batch once per block (mask-major)
  let h = tf.concat([tileRows(x, npred), maskTokens], 1) as tf.Tensor3D; // [npred*B, Kc+Kt, Dp]
  h = blocksThenNorm(h, p, 'predictor_blocks', config.predDepth, config.numHeads, ['predictor_norm.weight', 'predictor_norm.bias']);
  const predicted = h.slice([0, Kc, 0], [npred * B, targetTokens, Dp]); // [npred*B, Kt, Dp]
  return linear(predicted, p['predictor_proj.weight'], p['predictor_proj.bias']) as tf.Tensor3D; // [npred*B, Kt, D or P]
}
