import { describe, expect, it } from 'vitest';
import { ImageStore } from '../../data/imageStore';
import { generateSampleSet } from '../../data/sampleSet';
import { heldOutSplit } from '../../data/split';
import { evaluationPlan, planPrefix } from './evalPlan';

function sampleStore(perClass: number) {
  const store = new ImageStore(32);
  for (const { rgb, label } of generateSampleSet(32, perClass)) store.add(rgb, label);
  return { store, split: heldOutSplit(Array.from({ length: store.count }, (_, i) => store.label(i))) };
}

describe('evaluation plan', () => {
  it('holds every training and held-out image once, flagged as the split says', () => {
    const { store, split } = sampleStore(300);
    const plan = evaluationPlan(store, split);
    expect(plan.labelled).toBe(true);
    expect(plan.numClasses).toBe(6);
    expect(plan.indices.length).toBe(1800);
    expect(new Set(plan.indices).size).toBe(1800);
    const heldOut = new Set(split.heldOut);
    plan.indices.forEach((index, k) => expect(plan.heldOut[k]).toBe(heldOut.has(index)));
  });

  it('keeps the classes and the held-out share in every prefix (a capped subset is a fair one)', () => {
    const { store, split } = sampleStore(300);
    const plan = evaluationPlan(store, split);
    // the patch view's images lead: held out, four different classes
    expect(plan.patchViewImages).toBe(4);
    expect(plan.heldOut.slice(0, 4)).toEqual([true, true, true, true]);
    expect(new Set(plan.indices.slice(0, 4).map((i) => store.label(i))).size).toBe(4);
    for (const size of [60, 120, 600, 1000]) {
      const prefix = planPrefix(plan, size);
      const held = prefix.indices.filter((_, k) => prefix.heldOut[k]);
      const train = prefix.indices.filter((_, k) => !prefix.heldOut[k]);
      expect(Math.abs(held.length - size * 0.2)).toBeLessThanOrEqual(4);
      expect(new Set(held.map((i) => store.label(i))).size).toBe(6);
      expect(new Set(train.map((i) => store.label(i))).size).toBe(6);
    }
  });

  it('without labels: training images only, probes off', () => {
    const store = new ImageStore(8);
    for (let i = 0; i < 30; i++) store.add(new Uint8Array(8 * 8 * 3), null);
    const split = heldOutSplit(Array.from({ length: store.count }, () => -1));
    const plan = evaluationPlan(store, split);
    expect(plan.labelled).toBe(false);
    expect(plan.indices).toEqual(split.train);
    expect(plan.heldOut.every((h) => !h)).toBe(true);
  });
});
