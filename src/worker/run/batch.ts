// The next training batch, as every loop assembles it (the page's session, the sample-set run of the
// learning test and benchmark, the step benchmark): indices from the epoch sampler over the training
// split, the pixels, the step's RandomResizedCrop boxes, the normalised input tensor.
import { batchCropBoxes, trainingBatch } from '../../ijepa/augment';
import * as tf from '../../ijepa/tf';
import type { Trainer } from '../../ijepa/trainStep';
import type { ImageStore } from '../../data/imageStore';
import type { EpochSampler } from '../../data/sampler';

export interface Batch {
  imageIndices: number[]; // dataset indices
  pixels: Uint8Array; // [B, side, side, 3] as stored
  boxes: Float32Array | null; // [B, 4] crop boxes (null: no RandomResizedCrop)
  images: tf.Tensor4D; // [B, crop, crop, 3], ImageNet-normalised: the caller disposes it
}

/** The next batch of `trainIndices` (held-out images are never in it) for the trainer's next step. */
export function nextBatch(trainer: Trainer, store: ImageStore, trainIndices: readonly number[], sampler: EpochSampler): Batch {
  const { config, step } = trainer;
  const B = config.batchSize;
  if (trainIndices.length === 0) throw new Error('every image is held out for evaluation: add more images');
  sampler.resize(trainIndices.length);
  const imageIndices = sampler.next(B).map((k) => trainIndices[k]);
  const pixels = store.gather(imageIndices); // [B, side, side, 3]
  const boxes = batchCropBoxes(config, step, B, store.side);
  return { imageIndices, pixels, boxes: boxes ?? null, images: trainingBatch(config, step, pixels, B, store.side, boxes) };
}
