// Frozen features for evaluation (IJEPA_SPEC.md section 4): the TARGET encoder's output tokens
// (after its final LayerNorm), average-pooled per image, computed in batches.
import type { IJepaModel } from './model';
import * as tf from './tf';
import { encode, patchify } from './vit';

/** [n, crop, crop, 3] normalised images -> [n, D] pooled features, `batchSize` images at a time
 *  (one readback per batch). */
export async function embedImages(model: IJepaModel, images: tf.Tensor4D, batchSize = 64): Promise<Float32Array> {
  const [n] = images.shape;
  const D = model.config.embedDim;
  const features = new Float32Array(n * D);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const pooled = tf.tidy(() => {
      const batch = images.slice([start, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D;
      const tokens = encode(model.targetEncoder, model.config, model.posEmbed, patchify(batch, model.config.patchSize)); // [b, N, D]
      return tokens.mean(1); // [b, D]
    });
    features.set(await pooled.data(), start * D);
    pooled.dispose();
  }
  return features;
}
