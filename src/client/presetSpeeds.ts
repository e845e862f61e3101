// What each preset's default run (the browser recipe's model: ijepa/recipe.ts `browserModel`) costs
// on the chosen backend: measured where the startup measurement could afford it (`tiny`, the default
// candidate, always), otherwise estimated from `micro` and `tiny`, which split a step into a fixed part
// (kernel launches, growing with the blocks) and a part per model FLOP; and the preset the page opens
// on: the largest MEASURED preset that trains at LIVE_STEPS_PER_SEC here. An estimate never decides
// it: with another process on a core, the estimate from micro said tiny ≈ 0.66 steps/s where tiny
// trained at 2.2. Pure functions (unit-tested with ./backendChoice.test.ts).
import { PRESETS, presetConfig, type PresetName } from '../ijepa/config';
import { stepFlops } from '../ijepa/flops';
import { planMasks } from '../ijepa/masks';
import { browserModel } from '../ijepa/recipe';

/** The page opens on the largest preset whose default run trains at least this fast here: a step every
 *  two seconds keeps the loss, the masks and the counters visibly moving. (The speeds are of the model
 *  the run trains, its predictor widened by the browser recipe: about half the bare preset's, whose
 *  threshold was 1 step/s, so the same machines get the same preset.) */
export const LIVE_STEPS_PER_SEC = 0.5;
export const PROBE_PRESET: PresetName = 'micro';
export const PROBE_BATCH = PRESETS.micro.batchSize;
export const PRESET_ORDER: PresetName[] = ['micro', 'tiny', 'small'];
/** Measured on the chosen backend even when the budget is spent (within its own deadline): the
 *  preset whose recipe learns on real images (docs/LEARNING.md), so the choice between it and
 *  micro is made on its own steps. */
export const ALWAYS_MEASURED: PresetName = 'tiny';

export interface PresetSpeed {
  preset: PresetName;
  stepsPerSec: number;
  measured: boolean; // false: estimated from the measured steps
}

/** The model a preset's default run trains: what the measurement times and the FLOPs it counts. */
const measuredModel = (preset: PresetName, batchSize = PRESETS[preset].batchSize) => browserModel(presetConfig(preset, { batchSize }));
export const presetFlops = (preset: PresetName, batchSize?: number) => {
  const config = measuredModel(preset, batchSize);
  return stepFlops(config, planMasks(config)).total;
};
/** Kernels per step grow with the blocks (forward, backward, optimizer): a proxy for the fixed cost. */
const blocksOf = (preset: PresetName) => measuredModel(preset).depth + measuredModel(preset).predDepth;

/** A step's cost as fixed + per-FLOP, from the two presets the measurement always times (micro and
 *  tiny: more blocks and many more FLOPs), so that no extra workload is timed just to fit it. */
export interface StepCostModel {
  fixedMs: number; // per step at micro's depth
  msPerFlop: number;
}

export function fitStepCost(measuredMs: Partial<Record<PresetName, number>>): StepCostModel {
  const [small, large] = [measuredMs[PROBE_PRESET], measuredMs[ALWAYS_MEASURED]];
  if (small === undefined) throw new Error(`${PROBE_PRESET} was not measured`);
  const smallFlops = presetFlops(PROBE_PRESET);
  if (large === undefined) return { fixedMs: 0, msPerFlop: small / smallFlops }; // one point: all compute, the slow side
  // small = fixed + perFlop * smallFlops; large = fixed * depthRatio + perFlop * largeFlops
  const depthRatio = blocksOf(ALWAYS_MEASURED) / blocksOf(PROBE_PRESET);
  const largeFlops = presetFlops(ALWAYS_MEASURED);
  const msPerFlop = (large - depthRatio * small) / (largeFlops - depthRatio * smallFlops);
  if (msPerFlop <= 0) return { fixedMs: small, msPerFlop: 0 }; // the bigger step costs no more per block: all launches
  const fixedMs = small - msPerFlop * smallFlops;
  return fixedMs >= 0 ? { fixedMs, msPerFlop } : { fixedMs: 0, msPerFlop: large / largeFlops }; // all compute, through the bigger point
}

export function estimateStepMs(model: StepCostModel, preset: PresetName): number {
  return (model.fixedMs * blocksOf(preset)) / blocksOf(PROBE_PRESET) + model.msPerFlop * presetFlops(preset);
}

/** Measured presets as they are; the others estimated. The default is the largest preset measured at
 *  LIVE_STEPS_PER_SEC or faster (micro when none is). */
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
  const live = (s: PresetSpeed) => s.measured && s.stepsPerSec >= LIVE_STEPS_PER_SEC;
  const defaultPreset = [...presets].reverse().find(live)?.preset ?? PROBE_PRESET;
  return { presets, defaultPreset };
}
