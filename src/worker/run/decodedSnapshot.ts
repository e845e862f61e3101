// The pixel decoder's view of one step (issue 25), for the panel beside the predictor's view: the
// shown image's target blocks as true pixels, as the decoder reads the target features ("what the
// representation keeps") and as it reads the predictor's output ("what the predictor imagines"), in
// RGB, with the PSNR of both decodings against the truth, block by block.
import { IMAGENET_MEAN, IMAGENET_STD } from '../../ijepa/augment';
import type { IJepaConfig } from '../../ijepa/config';
import type { ShownPixels } from '../../ijepa/pixelDecoder';
import type { DecodedRecord } from '../protocol';

/** ImageNet-normalised values, patch-major [rows, p, p, 3] -> RGB bytes in the same layout. */
export function toRgb(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % 3;
    const unit = values[i] * IMAGENET_STD[c] + IMAGENET_MEAN[c];
    out[i] = Math.round(255 * Math.min(1, Math.max(0, unit)));
  }
  return out;
}

/** Peak signal-to-noise ratio (dB) of `decoded` against `truth` over each of `blocks` equal slices,
 *  on pixels in 0-1 (RGB bytes / 255). */
export function psnrPerBlock(truth: Uint8Array, decoded: Uint8Array, blocks: number): Float32Array {
  const size = truth.length / blocks;
  return Float32Array.from({ length: blocks }, (_, j) => {
    let sum = 0;
    for (let i = j * size; i < (j + 1) * size; i++) sum += ((truth[i] - decoded[i]) / 255) ** 2;
    return 10 * Math.log10(1 / Math.max(sum / size, 1e-10));
  });
}

export function decodedRecord(
  pixels: ShownPixels<Float32Array>,
  numTargets: number,
  config: IJepaConfig,
  image: number,
  decoderLoss: number | null,
): DecodedRecord {
  const [truth, fromTargets, fromPredicted] = [pixels.truth, pixels.fromTargets, pixels.fromPredicted].map(toRgb);
  const P = config.patchSize * config.patchSize * 3;
  return {
    image,
    numTargets,
    tokens: truth.length / (numTargets * P),
    patchSize: config.patchSize,
    input: toRgb(pixels.input),
    truth,
    fromTargets,
    fromPredicted,
    psnrTargets: psnrPerBlock(truth, fromTargets, numTargets),
    psnrPredicted: psnrPerBlock(truth, fromPredicted, numTargets),
    decoderLoss,
  };
}
