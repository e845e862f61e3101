// Which backend and which preset are fast on THIS machine. At startup the page times a few steps of
// the `micro` preset on every backend, each in a fresh worker with a deadline: a backend that is still
// compiling when a faster one has long finished is stopped, it is already clearly slower. The fastest
// wins. On it, the other presets' speeds are measured when that fits the time budget, otherwise
// estimated from two measured batch sizes (fixed cost per step + cost per model FLOP), except `tiny`,
// always measured; the page opens on the largest MEASURED preset that trains at LIVE_STEPS_PER_SEC. One backend's trial is in
// ./backendTrial.ts, the presets' speeds in ./presetSpeeds.ts; the workers are injected, so the unit
// tests script them.
import { PRESETS, type PresetName } from '../ijepa/config';
import {
  fitOn,
  LEADER_DEADLINE_MS,
  measureTrial,
  steadyMs,
  timeWorkload,
  type BackendTrial,
  type OpenProbeWorker,
  type ProbeWorker,
  type StepTimes,
} from './backendTrial';
import type { GpuHints } from '../worker/backends/gpuAdapter';
import {
  ALWAYS_MEASURED,
  estimateStepMs,
  fitStepCost,
  PRESET_ORDER,
  presetSpeeds,
  PROBE_PRESET,
  type PresetSpeed,
  type StepCostModel,
} from './presetSpeeds';
import { BACKEND_ORDER, type BackendName } from '../worker/protocol';

export { MIN_SHADERS_PER_STEP, type BackendTrial, type OpenProbeWorker, type ProbeWorker } from './backendTrial';
export { LIVE_STEPS_PER_SEC, type PresetSpeed } from './presetSpeeds';

/** The whole measurement stays within this; a preset is measured only while it fits. */
export const PROBE_BUDGET_MS = 9000;
const CHALLENGER_MIN_MS = 1000;
/** ALWAYS_MEASURED's own deadline when the budget is spent: a first step (about twice a steady one)
 *  and one more at the LIVE_STEPS_PER_SEC that would make it the default (6 s), with room for a busy core. */
export const ALWAYS_MEASURED_DEADLINE_MS = 8000;
const CHALLENGER_FACTOR = 1.2; // the others get this multiple of the leader's time for the same work

export interface BackendMeasurement {
  trials: BackendTrial[];
  chosen: BackendName;
  available: BackendName[];
  presets: PresetSpeed[];
  defaultPreset: PresetName;
  elapsedMs: number;
}

/** The measurement order: the likely winner first (a hardware GPU, else WASM), so the others can be
 *  cut against it; software GPU backends last. */
export function probeOrder(available: BackendName[], gpus: GpuHints): BackendName[] {
  const hardware = (['webgpu', 'webgl'] as const).filter((b) => gpus[b] === 'hardware');
  const rest = (['webgpu', 'webgl'] as const).filter((b) => gpus[b] !== 'hardware');
  return [...hardware, 'wasm', 'cpu', ...rest].filter((b) => available.includes(b as BackendName)) as BackendName[];
}

/** The fastest measured backend (by micro's steady steps/s); the first that started if none was. */
export function fastestBackend(trials: BackendTrial[]): BackendName | null {
  const measured = trials.filter((t) => t.stepsPerSec !== null).sort((a, b) => b.stepsPerSec! - a.stepsPerSec!);
  return measured[0]?.name ?? trials.find((t) => t.outcome !== 'unavailable' && t.outcome !== 'failed')?.name ?? null;
}

export interface MeasureOptions {
  candidates?: BackendName[]; // default: every backend
  gpus: GpuHints;
  onProgress?(trials: BackendTrial[], note: string): void;
  /** The first backend (the likely winner) and its cost model are measured: what runs beside the
   *  other trials no longer skews the figures that matter most. */
  onLeaderMeasured?(): void;
}

/** Measures every candidate backend, chooses the fastest, and the presets' speeds on it. */
export async function measureBackends(open: OpenProbeWorker, options: MeasureOptions): Promise<BackendMeasurement> {
  const started = performance.now();
  const trials: BackendTrial[] = [];
  const progress = (note: string) =>
    options.onProgress?.(
      trials.map((t) => ({ ...t })),
      note,
    );
  const workers = new Map<BackendName, ProbeWorker>();
  const probes = new Map<BackendName, StepTimes>();
  const fits = new Map<BackendName, StepCostModel>();
  let leaderMs: number | null = null;
  try {
    for (const name of probeOrder(options.candidates ?? [...BACKEND_ORDER], options.gpus)) {
      progress(`Measuring ${name}…`);
      const best = Math.max(0, ...trials.map((t) => t.stepsPerSec ?? 0));
      const deadline = leaderMs === null ? LEADER_DEADLINE_MS : Math.max(CHALLENGER_MIN_MS, CHALLENGER_FACTOR * leaderMs);
      const { trial, times, worker } = await measureTrial(open, name, deadline, best, leaderMs !== null);
      trials.push(trial);
      if (worker) workers.set(name, worker);
      if (times) probes.set(name, times);
      if (leaderMs === null && trial.stepsPerSec !== null && times && worker) {
        leaderMs = times.elapsedMs;
        progress(`Measuring how ${name} scales with the batch…`);
        fits.set(name, await fitOn(worker, steadyMs(times)!)); // while nothing else runs: the likely winner
      }
      if (trials.length === 1) options.onLeaderMeasured?.();
    }
    const chosen = fastestBackend(trials);
    if (!chosen) throw new Error('No TensorFlow.js backend could start in this browser.');
    const measured = await measurePresets(open, chosen, workers, probes.get(chosen) ?? null, fits.get(chosen) ?? null, started, progress);
    const { presets, defaultPreset } = presetSpeeds(measured.model, measured.ms);
    const available = trials.filter((t) => t.outcome !== 'unavailable').map((t) => t.name);
    return { trials, chosen, available, presets, defaultPreset, elapsedMs: performance.now() - started };
  } finally {
    for (const worker of workers.values()) worker.close();
  }
}

/** On the chosen backend: its cost model (fitted now if the leader was not the winner), then each
 *  bigger preset whose estimated first steps fit in what is left of the budget. */
async function measurePresets(
  open: OpenProbeWorker,
  chosen: BackendName,
  workers: Map<BackendName, ProbeWorker>,
  probe: StepTimes | null,
  fitted: StepCostModel | null,
  started: number,
  progress: (note: string) => void,
): Promise<{ model: StepCostModel; ms: Partial<Record<PresetName, number>> }> {
  const probeMs = probe ? steadyMs(probe) : null;
  const ms: Partial<Record<PresetName, number>> = {};
  if (probeMs === null) return { model: fitStepCost(probe?.firstMs ?? 1000, null), ms };
  ms[PROBE_PRESET] = probeMs;
  const left = () => PROBE_BUDGET_MS - (performance.now() - started);
  const costOf = (stepMs: number) => 3 * stepMs; // a first step (about twice a steady one) and one more
  let worker = workers.get(chosen);
  const ensureWorker = async () => (worker ??= await open(chosen));
  try {
    let model = fitted;
    if (!model) {
      progress(`Measuring how ${chosen} scales with the batch…`);
      model = costOf(4 * probeMs) < left() ? await fitOn(await ensureWorker(), probeMs) : fitStepCost(probeMs, null);
    }
    for (const preset of PRESET_ORDER.filter((p) => p !== PROBE_PRESET)) {
      const always = preset === ALWAYS_MEASURED;
      if (!always && costOf(estimateStepMs(model, preset)) > left()) break;
      progress(`Measuring ${preset} on ${chosen}…`);
      const deadline = always ? Math.max(left(), ALWAYS_MEASURED_DEADLINE_MS) : left();
      const times = await timeWorkload(await ensureWorker(), preset, PRESETS[preset].batchSize, deadline);
      const measured = steadyMs(times);
      if (measured === null || times.stopped) break;
      ms[preset] = measured;
    }
    return { model, ms };
  } finally {
    worker?.close();
    workers.delete(chosen);
  }
}
