// Frozen features for evaluation (docs/IJEPA_SPEC.md section 4): the TARGET encoder's output tokens
// (after its final LayerNorm), and their average per image, the features the probes use.
import type { IJepaConfig } from './config';
import type { Params } from './layers';
import * as tf from './tf';
import { encode, patchify } from './vit';

/** A target encoder to embed with: the run's, a snapshot of it, or a random one. */
export interface FeatureEncoder {
  config: IJepaConfig;
  params: Params;
  posEmbed: tf.Tensor2D; // [N, D]
}

/** [n, crop, crop, 3] normalised images -> tokens [n, N, D] and pooled features [n, D]. */
export function evaluationFeatures(encoder: FeatureEncoder, images: tf.Tensor4D): { tokens: tf.Tensor3D; pooled: tf.Tensor2D } {
  return tf.tidy(() => {
    const tokens = encode(encoder.params, encoder.config, encoder.posEmbed, patchify(images, encoder.config.patchSize)); // [n, N, D]
    return { tokens, pooled: tokens.mean(1) as tf.Tensor2D }; // [n, D]
  });
}
