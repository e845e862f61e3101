import { describe, expect, it } from 'vitest';
import { heldOutSplit } from './split';

describe('held-out split', () => {
  it('holds out every fifth image of each class, disjoint from training, unlabelled images train', () => {
    const labels = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, -1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
    const { train, heldOut } = heldOutSplit(labels);
    expect(heldOut).toEqual([8, 9, 19, 20]); // the 5th and 10th image of each class
    expect(new Set([...train, ...heldOut]).size).toBe(labels.length);
    expect(train.filter((i) => heldOut.includes(i))).toEqual([]);
    expect(train).toContain(10);
  });

  it('is stable when images are appended', () => {
    const before = heldOutSplit([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const after = heldOutSplit([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 2, 2]);
    expect(after.heldOut.slice(0, before.heldOut.length)).toEqual(before.heldOut);
  });
});
