// The `?bench` page mode's URL: whether the page is in it, and what to measure.
import { PRESETS, type PresetName } from '../ijepa/config';
import type { BackendName } from '../worker/protocol';

export const isBenchMode = (search: string) => new URLSearchParams(search).has('bench');

export interface BenchRequest {
  presets: PresetName[];
  backends: BackendName[];
  steps: number;
  warmup: number;
  budgetSec: number; // per measurement: a cell that takes longer is reported as over budget
  comparePlain: boolean; // also time the step with the plain tfjs ops (before the fused kernels)
  compareDecoder: boolean; // also time the step with the pixel decoder beside it
}

/** The request in a `?bench` URL: presets=, backends=, steps=, warmup=, budget= (seconds), plain=0
 *  (skip the plain-ops comparison), decoder=1 (add the step with the pixel decoder). */
export function benchRequestFromUrl(search: string, available: BackendName[]): BenchRequest {
  const params = new URLSearchParams(search);
  const list = (key: string) =>
    params
      .get(key)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const whole = (key: string, fallback: number, min: number) => {
    const value = Number(params.get(key));
    return params.has(key) && Number.isInteger(value) && value >= min ? value : fallback;
  };
  return {
    presets: (list('presets') ?? Object.keys(PRESETS)).filter((p): p is PresetName => p in PRESETS),
    backends: (list('backends') ?? available).filter((b): b is BackendName => available.includes(b as BackendName)),
    steps: whole('steps', 10, 1),
    warmup: whole('warmup', 2, 0),
    budgetSec: whole('budget', 600, 1),
    comparePlain: params.get('plain') !== '0',
    compareDecoder: params.get('decoder') === '1',
  };
}
