import { describe, expect, it } from 'vitest';
import { digitImages, greyToRgb, loadDigitBytes } from './digits';

describe('the bundled MNIST digits', () => {
  it('load from the build-time chunk: 300 of each digit, 28x28 grey', async () => {
    const bytes = await loadDigitBytes();
    expect(bytes.side).toBe(28);
    expect(bytes.perClass).toBe(300);
    expect(bytes.grey.length).toBe(10 * 300 * 28 * 28);
    // real digits: mostly black ground, some ink in every image
    const first = bytes.grey.subarray(0, 784);
    expect(first.filter((v) => v > 128).length).toBeGreaterThan(40);
    expect(first.filter((v) => v === 0).length).toBeGreaterThan(400);
  });

  it('come interleaved by class, as RGB at the training side', async () => {
    const images = [...digitImages(await loadDigitBytes(), 32, 2)];
    expect(images.map((i) => i.label).join('')).toBe('01234567890123456789');
    expect(images[0].rgb.length).toBe(32 * 32 * 3);
    expect(images[0].rgb[0]).toBe(images[0].rgb[1]); // grey: R = G = B
  });

  it('resample bilinearly: identity at the same side, constants stay constant', () => {
    const grey = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    const same = greyToRgb(grey, 4, 4);
    expect(Array.from({ length: 16 }, (_, i) => same[i * 3])).toEqual(Array.from(grey));
    expect(new Set(greyToRgb(new Uint8Array(28 * 28).fill(77), 28, 32))).toEqual(new Set([77]));
  });
});
