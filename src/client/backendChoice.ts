// Which backend and which preset are fast on THIS machine. At startup the page times a few steps of
// the `micro` preset on every backend, each in a fresh worker with a deadline: a backend that is still
// compiling when a faster one has long finished is stopped, it is already clearly slower; the CPU
// backend is not timed once WASM was (the same kernels in plain JavaScript), nor a software WebGL once
// a software WebGPU was stopped (both render on the CPU). The fastest wins. What
// decides the preset, `tiny`'s own steps, is measured on the likely winner (measured first) at once,
// while nothing else runs; bigger presets are measured on the winner when that fits the time budget,
// otherwise estimated from micro and tiny (fixed cost per step + cost per model FLOP); the page opens on
// the largest MEASURED preset that trains at LIVE_STEPS_PER_SEC. One backend's trial is in
// ./backendTrial.ts, the presets' speeds in ./presetSpeeds.ts; the workers are injected, so the unit
// tests script them.
import { PRESETS, type PresetName } from '../ijepa/config';
import {
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
  /** What each measured preset's steps grew the chosen backend's memory to, where it can say (the WASM
   *  heap): a return visit has it grown and touched before the first step (worker/backends/heapWarmer.ts).
   *  Absent in measurements remembered before it was noted. */
  heapBytes?: Partial<Record<PresetName, number>>;
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
  return measured[0]?.name ?? trials.find((t) => t.outcome === 'measured' || t.outcome === 'stopped')?.name ?? null;
}

export interface MeasureOptions {
  candidates?: BackendName[]; // default: every backend
  gpus: GpuHints;
  onProgress?(trials: BackendTrial[], note: string): void;
  /** The first backend (the likely winner) and its cost model are measured: what runs beside the
   *  other trials no longer skews the figures that matter most. */
  onLeaderMeasured?(): void;
  /** The first backend was measured with every preset that decides (micro, tiny, and the bigger ones
   *  that fit the budget) in the worker the page trains in (`kept`): what the measurement would
   *  choose if no other backend were faster. The page may open on it now, while the others are timed;
   *  from here that worker is the page's: never timed again nor closed, whichever backend wins. */
  onLeaderReady?(provisional: BackendMeasurement): void;
}

/** Measures every candidate backend, chooses the fastest, and the presets' speeds on it. */
export async function measureBackends(open: OpenProbeWorker, options: MeasureOptions): Promise<BackendMeasurement> {
  const started = performance.now();
  const left = () => PROBE_BUDGET_MS - (performance.now() - started);
  const trials: BackendTrial[] = [];
  const progress = (note: string) =>
    options.onProgress?.(
      trials.map((t) => ({ ...t })),
      note,
    );
  const workers = new Map<BackendName, ProbeWorker>();
  const probes = new Map<BackendName, StepTimes>();
  const presetMs = new Map<BackendName, Measured>();
  let leaderMs: number | null = null;
  let chosen: BackendName | null = null;
  try {
    const order = probeOrder(options.candidates ?? [...BACKEND_ORDER], options.gpus);
    for (const name of order) {
      if (name === 'cpu' && trials.some((t) => t.name === 'wasm' && t.stepsPerSec !== null)) {
        trials.push(skippedTrial('cpu')); // the same kernels in plain JavaScript: never faster than WASM's
        continue;
      }
      if (name === 'webgl' && options.gpus.webgl === 'software' && softwareGpuStopped(trials)) {
        trials.push({ ...skippedTrial('webgl'), isSoftware: true });
        continue;
      }
      progress(`Measuring ${name}…`);
      const best = Math.max(0, ...trials.map((t) => t.stepsPerSec ?? 0));
      const deadline = leaderMs === null ? LEADER_DEADLINE_MS : Math.max(CHALLENGER_MIN_MS, CHALLENGER_FACTOR * leaderMs);
      const { trial, times, worker } = await measureTrial(open, name, deadline, best, leaderMs !== null);
      trials.push(trial);
      if (worker) workers.set(name, worker);
      if (times) probes.set(name, times);
      if (leaderMs === null && trial.stepsPerSec !== null && times && worker) {
        leaderMs = times.elapsedMs;
        // what decides the preset, on the likely winner while nothing else runs: tiny's own steps, and
        // the bigger presets while the budget lasts
        const measured = await measureDeciding(workers, worker, name, steadyMs(times)!, left, progress);
        if (measured.ms[ALWAYS_MEASURED] !== undefined)
          await measureBigger(worker, name, measured, fitStepCost(measured.ms), left, progress);
        presetMs.set(name, measured);
        if (worker.kept && workers.has(name) && options.onLeaderReady) {
          workers.delete(name); // the page's now
          options.onLeaderReady(summary(order, trials, name, measured, started));
        }
      }
      if (trials.length === 1) options.onLeaderMeasured?.();
    }
    chosen = fastestBackend(trials);
    if (!chosen) throw new Error('No TensorFlow.js backend could start in this browser.');
    const probeMs = probes.has(chosen) ? steadyMs(probes.get(chosen)!) : null;
    let measured = presetMs.get(chosen);
    if (probeMs === null) return summary(order, trials, chosen, { ms: {}, heapBytes: {} }, started, probes.get(chosen)?.firstMs ?? 1000);
    if (!measured) {
      // a challenger won: its presets are measured on it now
      if (!workers.has(chosen)) workers.set(chosen, await open(chosen));
      const worker = workers.get(chosen)!;
      measured = await measureDeciding(workers, worker, chosen, probeMs, left, progress);
      if (measured.ms[ALWAYS_MEASURED] !== undefined)
        await measureBigger(worker, chosen, measured, fitStepCost(measured.ms), left, progress);
    }
    return summary(order, trials, chosen, measured, started);
  } finally {
    for (const [name, worker] of workers) if (!(worker.kept && name === chosen)) worker.close();
  }
}

/** The measurement as it stands with `chosen` and its presets' figures; `firstStepMs`: nothing steady
 *  was measured, so the presets are estimated from the first step. Available: every candidate (`order`)
 *  but those that could not start (one not tried yet counts: the page opens before the last are). */
function summary(
  order: BackendName[],
  trials: BackendTrial[],
  chosen: BackendName,
  measured: Measured,
  started: number,
  firstStepMs?: number,
): BackendMeasurement {
  const model: StepCostModel = firstStepMs !== undefined ? fitStepCost({ [PROBE_PRESET]: firstStepMs }) : fitStepCost(measured.ms);
  const { presets, defaultPreset } = presetSpeeds(model, measured.ms);
  const available = order.filter((name) => trials.find((t) => t.name === name)?.outcome !== 'unavailable');
  const copies = trials.map((t) => ({ ...t }));
  return {
    trials: copies,
    chosen,
    available,
    presets,
    defaultPreset,
    elapsedMs: performance.now() - started,
    heapBytes: { ...measured.heapBytes },
  };
}

type MeasuredMs = Partial<Record<PresetName, number>>;
/** One backend's presets: ms per step, and the memory their steps grew its worker to. */
interface Measured {
  ms: MeasuredMs;
  heapBytes: Partial<Record<PresetName, number>>;
}

/** A software WebGPU was stopped without a step while a backend was measured: a software WebGL renders
 *  on the CPU as well (in Chromium the same SwiftShader), so it is not timed either (here it cost ~1 s
 *  to be stopped the same way). */
function softwareGpuStopped(trials: BackendTrial[]): boolean {
  const webgpu = trials.find((t) => t.name === 'webgpu');
  const measured = trials.some((t) => t.stepsPerSec !== null);
  return measured && webgpu?.isSoftware === true && webgpu.outcome === 'stopped' && webgpu.stepsPerSec === null;
}

function skippedTrial(name: BackendName): BackendTrial {
  return {
    name,
    adapter: '',
    isSoftware: false,
    threads: null,
    outcome: 'skipped',
    shaderMs: null,
    stepsPerSec: null,
    firstStepMs: null,
    elapsedMs: 0,
  };
}

/** micro (already timed: `probeMs`) and ALWAYS_MEASURED on `backend`, within its own deadline however
 *  much of the budget is left: the figures that choose the preset. A worker stopped at the deadline
 *  may still be stepping: it is closed (and left out of `workers`), so it slows no later trial. */
async function measureDeciding(
  workers: Map<BackendName, ProbeWorker>,
  worker: ProbeWorker,
  backend: BackendName,
  probeMs: number,
  left: () => number,
  progress: (note: string) => void,
): Promise<Measured> {
  const measured: Measured = { ms: { [PROBE_PRESET]: probeMs }, heapBytes: {} };
  await noteHeap(worker, PROBE_PRESET, measured); // its trial has just run there
  progress(`Measuring ${ALWAYS_MEASURED} on ${backend}…`);
  if (!(await timePreset(worker, ALWAYS_MEASURED, Math.max(left(), ALWAYS_MEASURED_DEADLINE_MS), measured))) {
    worker.close();
    workers.delete(backend);
  }
  return measured;
}

/** Times `preset` on `worker` into `measured` (its steady ms per step, and the memory it needed);
 *  false when it did not finish by `deadlineMs`. */
async function timePreset(worker: ProbeWorker, preset: PresetName, deadlineMs: number, measured: Measured): Promise<boolean> {
  const times = await timeWorkload(worker, preset, PRESETS[preset].batchSize, deadlineMs);
  const ms = times.stopped ? null : steadyMs(times);
  if (ms === null) return false;
  measured.ms[preset] = ms;
  await noteHeap(worker, preset, measured);
  return true;
}

/** The memory `worker` has grown to after `preset`'s steps (memory only grows: presets in size order). */
async function noteHeap(worker: ProbeWorker, preset: PresetName, measured: Measured): Promise<void> {
  const bytes = await worker.heapBytes?.();
  if (bytes) measured.heapBytes[preset] = bytes;
}

/** The presets bigger than ALWAYS_MEASURED (which finished), each while its estimated first steps fit
 *  in what is left of the budget (into `measured`). */
async function measureBigger(
  worker: ProbeWorker,
  backend: BackendName,
  measured: Measured,
  model: StepCostModel,
  left: () => number,
  progress: (note: string) => void,
): Promise<void> {
  const costOf = (stepMs: number) => 3 * stepMs; // a first step (about twice a steady one) and one more
  for (const preset of PRESET_ORDER.slice(PRESET_ORDER.indexOf(ALWAYS_MEASURED) + 1)) {
    if (costOf(estimateStepMs(model, preset)) > left()) break;
    progress(`Measuring ${preset} on ${backend}…`);
    if (!(await timePreset(worker, preset, left(), measured))) break;
  }
}
