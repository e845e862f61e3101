import { describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { lrAt, momentumAt, schedulesAt, wdAt } from './schedules';

describe('schedules (closed forms of docs/IJEPA_SPEC.md section 3)', () => {
  const c = presetConfig('tiny', { totalSteps: 3000, warmupSteps: 400 });

  it('learning rate: linear warm-up, then cosine to finalLr', () => {
    expect(lrAt(c, 0)).toBeCloseTo(2e-4, 12);
    expect(lrAt(c, 200)).toBeCloseTo(2e-4 + 0.5 * (1e-3 - 2e-4), 12); // half-way through warm-up
    expect(lrAt(c, 400)).toBeCloseTo(1e-3, 12); // warm-up end: the peak
    expect(lrAt(c, 400 + 1300)).toBeCloseTo(1e-6 + (1e-3 - 1e-6) * 0.5, 12); // middle of the cosine
    expect(lrAt(c, 3000)).toBeCloseTo(1e-6, 12); // end
  });

  it('weight decay: cosine increase 0.04 -> 0.4', () => {
    const closed = (t: number) => 0.4 + (0.04 - 0.4) * 0.5 * (1 + Math.cos((Math.PI * t) / 3000));
    for (const t of [0, 400, 1500, 3000]) expect(wdAt(c, t)).toBeCloseTo(closed(t), 12);
    expect(wdAt(c, 0)).toBeCloseTo(0.04, 12);
    expect(wdAt(c, 1500)).toBeCloseTo(0.22, 12);
    expect(wdAt(c, 3000)).toBeCloseTo(0.4, 12);
  });

  it('momentum: linear 0.996 -> 1.0', () => {
    for (const t of [0, 400, 1500, 3000]) expect(momentumAt(c, t)).toBeCloseTo(0.996 + (t * (1 - 0.996)) / 3000, 12);
    expect(momentumAt(c, 1500)).toBeCloseTo(0.998, 12);
  });

  it('holds the final values past the planned end (an extended run continues smoothly)', () => {
    expect(schedulesAt(c, 5000)).toEqual(schedulesAt(c, 3000));
  });

  it('works without warm-up', () => {
    const noWarmup = { ...c, warmupSteps: 0 };
    expect(lrAt(noWarmup, 0)).toBeCloseTo(1e-3, 12);
  });
});
