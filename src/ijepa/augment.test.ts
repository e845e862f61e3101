import { describe, expect, it } from 'vitest';
import { batchCropBoxes, cropBoxesFor, IMAGENET_MEAN, IMAGENET_STD, prepareImages, randomResizedCropBox, trainingBatch } from './augment';
import { presetConfig } from './config';
import { createRng } from './rng';
import * as tf from './tf';

describe('reference data pipeline', () => {
  it('RandomResizedCrop boxes stay inside the image, with the area and aspect ranges of torchvision', () => {
    const rng = createRng(4);
    for (let i = 0; i < 2000; i++) {
      const box = randomResizedCropBox(rng, 48, 64, [0.3, 1]);
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.top + box.height).toBeLessThanOrEqual(48);
      expect(box.left + box.width).toBeLessThanOrEqual(64);
      const area = (box.height * box.width) / (48 * 64);
      expect(area).toBeGreaterThan(0.25); // 0.3 less rounding
      expect(box.width / box.height).toBeGreaterThan(0.7);
      expect(box.width / box.height).toBeLessThan(1.4);
    }
  });

  it('crop boxes are seeded per batch', () => {
    const c = presetConfig('micro');
    expect(cropBoxesFor(c, 3, 4, 40, 40)).toEqual(cropBoxesFor(c, 3, 4, 40, 40));
    expect(cropBoxesFor(c, 3, 4, 40, 40)).not.toEqual(cropBoxesFor(c, 4, 4, 40, 40));
  });

  it('normalises with the ImageNet mean and std, and crops and resizes to the training size', () => {
    const pixels = tf.fill([2, 40, 40, 3], 255, 'int32') as tf.Tensor4D;
    const whole = prepareImages(pixels, 32);
    expect(whole.shape).toEqual([2, 32, 32, 3]);
    const px = whole.dataSync().slice(0, 3);
    px.forEach((v, ch) => expect(v).toBeCloseTo((1 - IMAGENET_MEAN[ch]) / IMAGENET_STD[ch], 5));
    const cropped = prepareImages(pixels, 16, cropBoxesFor(presetConfig('micro'), 0, 2, 40, 40));
    expect(cropped.shape).toEqual([2, 16, 16, 3]);
    expect(cropped.dataSync()[0]).toBeCloseTo((1 - IMAGENET_MEAN[0]) / IMAGENET_STD[0], 5);
    tf.dispose([pixels, whole, cropped]);
  });

  it('makes a training batch from bytes: cropped with the boxes of its batch, or resized whole when cropping is off', () => {
    const micro = presetConfig('micro');
    const bytes = Uint8Array.from({ length: 2 * 40 * 40 * 3 }, (_, i) => (i * 7) % 256);
    const pixels = tf.tensor4d(bytes, [2, 40, 40, 3], 'int32');
    expect(batchCropBoxes(micro, 5, 2, 40)).toEqual(cropBoxesFor(micro, 5, 2, 40, 40));
    expect(batchCropBoxes({ ...micro, randomResizedCrop: false }, 5, 2, 40)).toBeUndefined();
    const expected = [prepareImages(pixels, 32, cropBoxesFor(micro, 5, 2, 40, 40)), prepareImages(pixels, 32)];
    const made = [trainingBatch(micro, 5, bytes, 2, 40), trainingBatch({ ...micro, randomResizedCrop: false }, 5, bytes, 2, 40)];
    made.forEach((t, i) => {
      expect(t.shape).toEqual([2, 32, 32, 3]);
      expect(t.dataSync()).toEqual(expected[i].dataSync());
    });
    tf.dispose([pixels, ...expected, ...made]);
  });
});
