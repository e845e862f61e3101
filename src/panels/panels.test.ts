import { describe, expect, it } from 'vitest';
import { minMaxIndices, pick } from './downsample';
import { rectCells } from '../ijepa/blocks';
import { cellBox, cellRoles, gridPhrase } from './maskGeometry';
import { debiasedEma } from './smoothing';
import type { MaskRecord } from '../worker/protocol';

describe('loss smoothing (TensorBoard debiased EMA)', () => {
  it('matches hand-computed values', () => {
    // weight 0.6: s1 = 0.4*1/(1-0.6) = 1; last2 = 0.6*0.4 + 0.4*2 = 1.04, /(1-0.36) = 1.625
    // last3 = 0.6*1.04 + 0.4*3 = 1.824, /(1-0.216) = 2.32653...
    const s = debiasedEma([1, 2, 3], 0.6);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(1.625, 12);
    expect(s[2]).toBeCloseTo(1.824 / 0.784, 12);
  });
  it('is the identity at weight 0, constant data stays constant, NaN passes through', () => {
    expect(Array.from(debiasedEma([3, 1, 4], 0))).toEqual([3, 1, 4]);
    debiasedEma([5, 5, 5, 5], 0.9).forEach((v) => expect(v).toBeCloseTo(5, 12));
    const withNaN = debiasedEma([1, Number.NaN, 1], 0.5);
    expect(Number.isNaN(withNaN[1])).toBe(true);
    expect(withNaN[2]).toBeCloseTo(1, 12);
  });
});

describe('min/max downsampling', () => {
  it('keeps the extremes and the last point, in x order, and returns small series untouched', () => {
    const n = 100_000;
    const xs = Float64Array.from({ length: n }, (_, i) => i);
    const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 100));
    ys[31_337] = 50; // a spike
    ys[77_777] = -50; // a dip
    const keep = minMaxIndices(ys, 500);
    const d = { xs: pick(xs, keep), ys: pick(ys, keep) };
    expect(d.xs.length).toBeLessThanOrEqual(1501);
    expect(Math.max(...d.ys)).toBe(50);
    expect(Math.min(...d.ys)).toBe(-50);
    expect(d.xs[d.xs.length - 1]).toBe(n - 1);
    for (let i = 1; i < d.xs.length; i++) expect(d.xs[i]).toBeGreaterThan(d.xs[i - 1]);
    expect(Array.from(minMaxIndices([5, 6, 7], 500))).toEqual([0, 1, 2]);
  });
});

describe('mask geometry', () => {
  it('turns block rectangles into patch cells and cells into canvas boxes', () => {
    expect(rectCells({ top: 1, left: 6, height: 2, width: 2 }, 8)).toEqual([14, 15, 22, 23]);
    expect(cellBox(14, 8, 160, 10, 20)).toEqual({ x: 10 + 6 * 20, y: 20 + 1 * 20, size: 20 });
  });
  it("reads each image's roles from the indices the step gathered (mask-major targets)", () => {
    const record: MaskRecord = {
      step: 0,
      strategy: 'multiblock',
      batchSize: 2,
      grid: 4,
      contextTokens: 2,
      targetTokens: 1,
      contextIdx: Int32Array.from([0, 1, 2, 3]),
      targetIdx: Int32Array.from([5, 6, 7, 8]), // targets j=0: b0 5, b1 6; j=1: b0 7, b1 8
      prediction: null,
      decoded: null,
      targetRects: [0, 1, 2, 3].map((k) => ({ top: k, left: 0, height: 1, width: 1 })),
      contextRects: [
        { top: 0, left: 0, height: 1, width: 2 },
        { top: 0, left: 2, height: 1, width: 2 },
      ],
      imageIndices: [0, 1],
      images: new Uint8Array(0),
      imageSide: 0,
      cropBoxes: null,
    };
    const roles = cellRoles(record, 1);
    expect([...roles.context]).toEqual([2, 3]);
    expect(roles.targets.map((t) => [...t])).toEqual([[6], [8]]);
    expect(roles.targetRects).toEqual([record.targetRects[1], record.targetRects[3]]);
    // a block is its rectangle's cells; random masks have no rectangle: the block is the cells predicted
    expect(roles.targetBlocks).toEqual([[4], [12]]);
    expect(cellRoles({ ...record, strategy: 'random' }, 1).targetBlocks).toEqual([[6], [8]]);
  });
});

describe('mask caption', () => {
  it('says "an 8×8 grid" and "a 16×16 grid"', () => {
    expect([8, 11, 16, 18, 4].map(gridPhrase)).toEqual(['an 8×8', 'an 11×11', 'a 16×16', 'an 18×18', 'a 4×4']);
  });
});
