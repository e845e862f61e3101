// Model FLOPs of one training step, from the config alone (for the benchmark's "achieved FLOP/s").
// Counts the matrix products only (2 FLOPs per multiply-add), as model-FLOP utilisation figures do:
// elementwise ops, LayerNorm, softmax and the optimizer are a rounding error in FLOPs (they cost
// launches and memory traffic, which the benchmark's kernel counts show instead). A backward pass
// costs twice its forward (gradients for the inputs and for the weights).
import { targetWidth, type IJepaConfig } from './config';
import type { MaskPlan } from './masks';

/** Forward FLOPs of `sequences` sequences of `tokens` tokens through `depth` blocks of width `dim`. */
export function blocksForwardFlops(sequences: number, tokens: number, dim: number, depth: number, mlpRatio: number): number {
  const rows = sequences * tokens;
  const hidden = dim * mlpRatio;
  const linears = 2 * rows * (dim * 3 * dim + dim * dim + dim * hidden + hidden * dim); // qkv, proj, fc1, fc2
  const attention = 2 * 2 * sequences * tokens * tokens * dim; // Q K^T and (softmax) V, all heads
  return depth * (linears + attention);
}

export interface StepFlops {
  targetEncoder: number; // forward only, all N tokens
  contextEncoder: number; // forward + backward on the context tokens
  predictor: number; // forward + backward, one sequence per (image, target block)
  total: number;
}

export function stepFlops(c: IJepaConfig, plan: Pick<MaskPlan, 'numPatches' | 'numTargets' | 'contextTokens' | 'targetTokens'>): StepFlops {
  const B = c.batchSize,
    N = plan.numPatches,
    Kc = plan.contextTokens,
    Kt = plan.targetTokens;
  const D = c.embedDim,
    Dp = c.predEmbedDim,
    M = plan.numTargets;
  const patchEmbed = 2 * B * N * (c.patchSize * c.patchSize * 3) * D; // every patch is embedded, then masked
  // pixel targets (the paper's ablation) need no target encoder
  const targetEncoder = c.predictionTarget === 'pixels' ? 0 : patchEmbed + blocksForwardFlops(B, N, D, c.depth, c.mlpRatio);
  const contextForward = patchEmbed + blocksForwardFlops(B, Kc, D, c.depth, c.mlpRatio);
  const predictorForward =
    2 * B * Kc * D * Dp + // predictor_embed
    blocksForwardFlops(M * B, Kc + Kt, Dp, c.predDepth, c.mlpRatio) +
    2 * M * B * Kt * Dp * targetWidth(c); // predictor_proj on the predicted tokens
  const contextEncoder = 3 * contextForward;
  const predictor = 3 * predictorForward;
  return { targetEncoder, contextEncoder, predictor, total: targetEncoder + contextEncoder + predictor };
}
