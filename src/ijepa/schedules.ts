// Per-iteration schedules over the planned run (reference: src/utils/schedulers.py and the momentum
// generator in src/train.py). t is the 0-based step index, T = totalSteps. Past T each schedule
// holds its final value (the page stops a run at T; extending a run is not offered yet).
import type { IJepaConfig } from './config';

export interface Schedules {
  lr: number;
  wd: number;
  momentum: number;
}

const clampProgress = (t: number, span: number) => Math.min(Math.max(t / Math.max(1, span), 0), 1);

/** Linear warm-up startLr -> lr over warmupSteps, then cosine lr -> finalLr. */
export function lrAt(c: IJepaConfig, t: number): number {
  if (t < c.warmupSteps) return c.startLr + (t / c.warmupSteps) * (c.lr - c.startLr);
  const progress = clampProgress(t - c.warmupSteps, c.totalSteps - c.warmupSteps);
  return c.finalLr + (c.lr - c.finalLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Cosine from weightDecay to finalWeightDecay (an increase, 0.04 -> 0.4, in the released configs). */
export function wdAt(c: IJepaConfig, t: number): number {
  const progress = clampProgress(t, c.totalSteps);
  return c.finalWeightDecay + (c.weightDecay - c.finalWeightDecay) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** EMA momentum, linear from ema[0] to ema[1]. */
export function momentumAt(c: IJepaConfig, t: number): number {
  return c.ema[0] + clampProgress(t, c.totalSteps) * (c.ema[1] - c.ema[0]);
}

export function schedulesAt(c: IJepaConfig, t: number): Schedules {
  return { lr: lrAt(c, t), wd: wdAt(c, t), momentum: momentumAt(c, t) };
}
