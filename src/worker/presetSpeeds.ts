// What each preset costs on the chosen backend: measured where the startup measurement could afford
// it, otherwise estimated from `micro` at two batch sizes (same kernels, 4x the FLOPs), which splits a
// step into a fixed part (kernel launches, growing with the blocks) and a part per model FLOP; and the
// preset the page opens on: the largest that trains at LIVE_STEPS_PER_SEC here, never chosen on an
// optimistic estimate. Pure functions (unit-tested with ./backendChoice.test.ts).
import { PRESETS, presetConfig, type PresetName } from '../ijepa/config';
import { stepFlops } from '../ijepa/flops';
import { planMasks } from '../ijepa/masks';

/** The page opens on the largest preset that trains at least this fast here: one step a second keeps
 *  the loss, the masks and the counters visibly moving. */
export const LIVE_STEPS_PER_SEC = 1;
export const PROBE_PRESET: PresetName = 'micro';
export const PROBE_BATCH = PRESETS.micro.batchSize;
export const FIT_BATCH = 4 * PROBE_BATCH; // a second point: what a step costs per image
export const PRESET_ORDER: PresetName[] = ['micro', 'tiny', 'small'];

export interface PresetSpeed {
  preset: PresetName;
  stepsPerSec: number;
  measured: boolean; // false: estimated from the measured steps
}

export const presetFlops = (preset: PresetName, batchSize = PRESETS[preset].batchSize) => {
  const config = presetConfig(preset, { batchSize });
  return stepFlops(config, planMasks(config)).total;
};
/** Kernels per step grow with the blocks (forward, backward, optimizer): a proxy for the fixed cost. */
const blocksOf = (preset: PresetName) => PRESETS[preset].depth + PRESETS[preset].predDepth;

/** A step's cost as fixed + per-FLOP, from micro at two batch sizes (same kernels, 4x the FLOPs). */
export interface StepCostModel {
  fixedMs: number; // per step at micro's depth
  msPerFlop: number;
}

export function fitStepCost(probeMs: number, fitMs: number | null): StepCostModel {
  const flops = presetFlops(PROBE_PRESET, PROBE_BATCH);
  if (fitMs === null) return { fixedMs: 0, msPerFlop: probeMs / flops }; // all compute: the slow side
  const msPerFlop = Math.max(0, fitMs - probeMs) / (presetFlops(PROBE_PRESET, FIT_BATCH) - flops);
  return { fixedMs: Math.max(0, probeMs - msPerFlop * flops), msPerFlop };
}

export function estimateStepMs(model: StepCostModel, preset: PresetName): number {
  return (model.fixedMs * blocksOf(preset)) / blocksOf(PROBE_PRESET) + model.msPerFlop * presetFlops(preset);
}

/** Measured presets as they are; the others estimated. A preset counts as live (for the default)
 *  only when measured at LIVE_STEPS_PER_SEC, or when even the slow-side estimate (its FLOPs at the
 *  largest measured preset's time per FLOP, as if nothing were fixed cost) reaches it. */
export function presetSpeeds(
  model: StepCostModel,
  measuredMs: Partial<Record<PresetName, number>>,
): { presets: PresetSpeed[]; defaultPreset: PresetName } {
  const presets = PRESET_ORDER.map((preset) => {
    const ms = measuredMs[preset];
    return ms !== undefined
      ? { preset, stepsPerSec: 1000 / ms, measured: true }
      : { preset, stepsPerSec: 1000 / estimateStepMs(model, preset), measured: false };
  });
  const largestMeasured = [...PRESET_ORDER].reverse().find((p) => measuredMs[p] !== undefined) ?? PROBE_PRESET;
  const slowSideMsPerFlop = (measuredMs[largestMeasured] ?? estimateStepMs(model, largestMeasured)) / presetFlops(largestMeasured);
  const live = (s: PresetSpeed) => (s.measured ? s.stepsPerSec : 1000 / (slowSideMsPerFlop * presetFlops(s.preset))) >= LIVE_STEPS_PER_SEC;
  const defaultPreset = [...presets].reverse().find(live)?.preset ?? PROBE_PRESET;
  return { presets, defaultPreset };
}
