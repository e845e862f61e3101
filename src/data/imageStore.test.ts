import { describe, expect, it } from 'vitest';
import { ImageStore } from './imageStore';
import { EpochSampler } from './sampler';
import { generateSampleSet, SAMPLE_CLASSES } from './sampleSet';

describe('image store', () => {
  it('stores images once at training size, grows, and counts classes and bytes', () => {
    const store = new ImageStore(4, 2);
    const image = (v: number) => new Uint8Array(48).fill(v);
    for (let i = 0; i < 5; i++) store.add(image(i), i % 2 === 0 ? 'even' : 'odd');
    store.add(image(9), null);
    expect(store.count).toBe(6);
    expect(store.bytes).toBe(6 * 48);
    expect(store.classCounts()).toEqual([
      { name: 'even', count: 3 },
      { name: 'odd', count: 2 },
      { name: '(no label)', count: 1 },
    ]);
    expect(store.image(3)[0]).toBe(3);
    expect(store.label(5)).toBe(-1);
    expect(Array.from(store.gather([4, 0]).filter((_, i) => i % 48 === 0))).toEqual([4, 0]);
    expect(() => store.add(new Uint8Array(10), null)).toThrow(/expected 48/);
  });
});

describe('epoch sampler', () => {
  it('visits every image once per epoch, reproducibly from the seed', () => {
    const a = new EpochSampler(1, 10);
    const epoch = [...a.next(4), ...a.next(4), ...a.next(2)];
    expect([...epoch].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const b = new EpochSampler(1, 10);
    expect([...b.next(4), ...b.next(4), ...b.next(2)]).toEqual(epoch);
    expect(new EpochSampler(2, 10).next(10)).not.toEqual(epoch);
  });
  it('wraps batches across epochs and refuses an empty dataset', () => {
    const s = new EpochSampler(0, 3);
    expect(s.next(7).length).toBe(7);
    expect(() => new EpochSampler(0, 0).next(1)).toThrow(/empty/);
  });
  it('grows at the next epoch (images streaming in), and never hands out an index a smaller dataset lacks', () => {
    const s = new EpochSampler(3, 4);
    s.next(2);
    s.resize(10); // more images arrived: this epoch finishes over the first 4
    expect(s.next(2).every((i) => i < 4)).toBe(true);
    expect(new Set(s.next(10))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    s.resize(3); // another, smaller dataset replaced it mid-epoch
    expect(s.next(9).every((i) => i < 3)).toBe(true);
  });
});

describe('built-in sample set', () => {
  it('draws every class, reproducibly, with visibly different images', () => {
    const images = [...generateSampleSet(32, 3, 0)];
    expect(images.length).toBe(3 * SAMPLE_CLASSES.length);
    expect(new Set(images.map((i) => i.label))).toEqual(new Set(SAMPLE_CLASSES));
    expect(images[0].rgb.length).toBe(32 * 32 * 3);
    const again = [...generateSampleSet(32, 3, 0)];
    expect(again[5].rgb).toEqual(images[5].rgb);
    const contrast = (rgb: Uint8Array) => Math.max(...rgb) - Math.min(...rgb);
    for (const { rgb } of images) expect(contrast(rgb)).toBeGreaterThan(60);
  });
  it('repeats the class motif over the whole image: every quadrant holds copies of it', () => {
    const side = 32,
      half = side / 2;
    for (const { rgb } of generateSampleSet(side, 5, 1)) {
      for (const [x0, y0] of [
        [0, 0],
        [half, 0],
        [0, half],
        [half, half],
      ]) {
        let [painted, ground] = [0, 0]; // pixels far from the grey ground, and on it
        for (let y = y0; y < y0 + half; y++) {
          for (let x = x0; x < x0 + half; x++) {
            const i = (y * side + x) * 3;
            const fromGrey = Math.abs(rgb[i] - 128) + Math.abs(rgb[i + 1] - 128) + Math.abs(rgb[i + 2] - 128);
            if (fromGrey > 90) painted++;
            if (fromGrey < 30) ground++;
          }
        }
        expect(painted).toBeGreaterThan(half * half * 0.1);
        expect(ground).toBeGreaterThan(half * half * 0.2);
      }
    }
  });
});
