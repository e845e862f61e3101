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

  it('resample as bilinear interpolation written out per pixel does, up and down, edges clamped', () => {
    const from = 28;
    const grey = Uint8Array.from({ length: from * from }, (_, i) => (i * 37 + (i >> 3) * 11) % 256);
    const at = (y: number, x: number) => grey[Math.min(from - 1, Math.max(0, y)) * from + Math.min(from - 1, Math.max(0, x))];
    for (const to of [7, 20, 32, 64]) {
      const rgb = greyToRgb(grey, from, to);
      for (let y = 0; y < to; y++)
        for (let x = 0; x < to; x++) {
          const [sy, sx] = [(y + 0.5) * (from / to) - 0.5, (x + 0.5) * (from / to) - 0.5];
          const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
          const [fy, fx] = [sy - y0, sx - x0];
          const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
          const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
          const expected = Math.round(top * (1 - fy) + bottom * fy);
          expect([rgb[(y * to + x) * 3], rgb[(y * to + x) * 3 + 1], rgb[(y * to + x) * 3 + 2]]).toEqual([expected, expected, expected]);
        }
    }
  });
});
