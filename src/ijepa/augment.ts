// The reference data pipeline on tensors: RandomResizedCrop (torchvision's sampling), no flip, no
// colour jitter, then ImageNet normalisation. Crops are drawn from a seeded generator per batch.
import type { IJepaConfig, Range } from './config';
import { createRng, type Rng } from './rng';
import * as tf from './tf';

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
const CROP_RATIO: Range = [3 / 4, 4 / 3];
const CROP_STREAM = 0x63726f70; // keeps crop draws independent of the mask draws

export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** torchvision RandomResizedCrop.get_params: 10 tries at a random area and log-uniform aspect,
 *  then a centre crop clamped to the ratio range. */
export function randomResizedCropBox(rng: Rng, height: number, width: number, scale: Range, ratio: Range = CROP_RATIO): CropBox {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * (scale[0] + rng.next() * (scale[1] - scale[0]));
    const aspect = Math.exp(logRatio[0] + rng.next() * (logRatio[1] - logRatio[0]));
    const w = Math.round(Math.sqrt(targetArea * aspect));
    const h = Math.round(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(0, height - h + 1), left: rng.int(0, width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** Normalised [y1, x1, y2, x2] boxes for tf.image.cropAndResize, one per image. */
export function cropBoxesFor(config: IJepaConfig, batchIndex: number, count: number, height: number, width: number): Float32Array {
  const rng = createRng(config.seed ^ CROP_STREAM, batchIndex);
  const boxes = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) {
    const box = randomResizedCropBox(rng, height, width, config.cropScale);
    boxes.set(
      [box.top / (height - 1), box.left / (width - 1), (box.top + box.height - 1) / (height - 1), (box.left + box.width - 1) / (width - 1)],
      i * 4,
    );
  }
  return boxes;
}

/** The crop boxes of training batch `batchIndex` (none when RandomResizedCrop is off). */
export const batchCropBoxes = (config: IJepaConfig, batchIndex: number, count: number, side: number): Float32Array | undefined =>
  config.randomResizedCrop ? cropBoxesFor(config, batchIndex, count, side, side) : undefined;

/** A training batch as the app makes it: RGB bytes of `count` images [count, side, side, 3] ->
 *  [count, crop, crop, 3], each cropped to its box of batch `batchIndex` (RandomResizedCrop). */
export function trainingBatch(
  config: IJepaConfig,
  batchIndex: number,
  pixels: Uint8Array | Int32Array,
  count: number,
  side: number,
  boxes = batchCropBoxes(config, batchIndex, count, side),
): tf.Tensor4D {
  return tf.tidy(() => prepareImages(tf.tensor4d(pixels, [count, side, side, 3], 'int32'), config.cropSize, boxes));
}

/** Pixels in 0-255 ([n, H, W, 3], any dtype) -> training input [n, crop, crop, 3], ImageNet-normalised.
 *  With `boxes`, each image is first cropped to its box (RandomResizedCrop); otherwise resized whole. */
export function prepareImages(pixels: tf.Tensor4D, cropSize: number, boxes?: Float32Array): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, H, W] = pixels.shape;
    const x = pixels.toFloat().div(255) as tf.Tensor4D; // [n, H, W, 3]
    let resized: tf.Tensor4D;
    if (boxes) {
      const boxIdx = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
      resized = tf.image.cropAndResize(x, tf.tensor2d(boxes, [n, 4]), boxIdx, [cropSize, cropSize], 'bilinear');
    } else {
      resized = H === cropSize && W === cropSize ? x : tf.image.resizeBilinear(x, [cropSize, cropSize], false, true);
    }
    return resized.sub(tf.tensor1d([...IMAGENET_MEAN])).div(tf.tensor1d([...IMAGENET_STD])); // [n, crop, crop, 3]
  });
}
