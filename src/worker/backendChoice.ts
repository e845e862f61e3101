// Which backend and which preset are fast on THIS machine. At startup the page times a few steps of
// the `micro` preset on every backend, each in a fresh worker with a deadline: a backend that is still
// compiling when a faster one has long finished is stopped, it is already clearly slower. The fastest
// wins. On it, the other presets' speeds are measured when that fits the time budget, otherwise
// estimated from two measured batch sizes (fixed cost per step + cost per model FLOP); the page opens
// on the largest preset that still trains at LIVE_STEPS_PER_SEC. The decisions are pure functions
// (unit-tested); the workers are injected.
import { PRESETS, presetConfig, type PresetName } from '../ijepa/config';
import { stepFlops } from '../ijepa/flops';
import { planMasks } from '../ijepa/masks';
import type { GpuHints } from './gpuAdapter';
import { BACKEND_ORDER, type BackendInfo, type BackendName } from './protocol';

/** The page opens on the largest preset that trains at least this fast here: one step a second keeps
 *  the loss, the masks and the counters visibly moving. */
export const LIVE_STEPS_PER_SEC = 1;
const PROBE_PRESET: PresetName = 'micro';
const PROBE_BATCH = PRESETS.micro.batchSize;
const FIT_BATCH = 4 * PROBE_BATCH; // a second point: what a step costs per image
const ENOUGH_TIMED_MS = 400; // steady-state steps after the first, per workload
const FIT_TIMED_MS = 700; // the cost model's second point: a few steps, its median
const MAX_STEPS = 4;
/** The whole measurement stays within this; a preset is measured only while it fits. */
export const PROBE_BUDGET_MS = 9000;
const LEADER_DEADLINE_MS = 6000; // the first backend measured: a real GPU's shader compilation fits
const CHALLENGER_MIN_MS = 1000;
const CHALLENGER_FACTOR = 1.2; // the others get this multiple of the leader's time for the same work
const CLEARLY_SLOWER = 2; // a backend measured at under half the best rate is stopped at once
/** A GPU backend compiles about 80 shaders before its first micro step (84 on WebGPU, measured). A
 *  challenger whose first shader is not done by deadline / this is stopped there (its first step
 *  cannot fit the deadline): on a software adapter the whole step's compilation would keep the GPU
 *  process busy for half a minute, even after its worker is gone (measured: 25 s on SwiftShader after
 *  a stop at 2 s). */
export const MIN_SHADERS_PER_STEP = 50;
const GPU_BACKENDS: BackendName[] = ['webgpu', 'webgl'];
const PRESET_ORDER: PresetName[] = ['micro', 'tiny', 'small'];

export type TrialOutcome = 'measured' | 'stopped' | 'unavailable' | 'failed';

export interface BackendTrial {
  name: BackendName;
  adapter: string;
  isSoftware: boolean;
  threads: number | null;
  outcome: TrialOutcome;
  shaderMs: number | null; // GPU challengers: compiling and running their first shader
  stepsPerSec: number | null; // micro, after the first step (null: no step after the first)
  firstStepMs: number | null; // shader compilation included
  elapsedMs: number; // what measuring it cost
}

export interface PresetSpeed {
  preset: PresetName;
  stepsPerSec: number;
  measured: boolean; // false: estimated from the measured steps
}

export interface BackendMeasurement {
  trials: BackendTrial[];
  chosen: BackendName;
  available: BackendName[];
  presets: PresetSpeed[];
  defaultPreset: PresetName;
  elapsedMs: number;
}

/** One workload's step times: the first (compilation included), then the steady ones. */
export interface StepTimes {
  firstMs: number | null;
  stepMs: number[];
  stopped: boolean; // cut at the deadline, or as clearly slower
  elapsedMs: number;
}

/** A fresh worker with one backend started (the browser's side of the measurement). */
export interface ProbeWorker {
  info: BackendInfo;
  timeSteps(preset: PresetName, batchSize: number, limits: { maxSteps: number; enoughMs: number }, onStep: (ms: number) => void): Promise<void>;
  firstShaderMs(): Promise<number>;
  close(): void;
}
export type OpenProbeWorker = (backend: BackendName) => Promise<ProbeWorker>;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const steadyMs = (times: StepTimes): number | null => (times.stepMs.length > 0 ? median(times.stepMs) : null);

/** The measurement order: the likely winner first (a hardware GPU, else WASM), so the others can be
 *  cut against it; software GPU backends last. */
export function probeOrder(available: BackendName[], gpus: GpuHints): BackendName[] {
  const hardware = (['webgpu', 'webgl'] as const).filter((b) => gpus[b] === 'hardware');
  const rest = (['webgpu', 'webgl'] as const).filter((b) => gpus[b] !== 'hardware');
  return [...hardware, 'wasm', 'cpu', ...rest].filter((b) => available.includes(b as BackendName)) as BackendName[];
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
export function presetSpeeds(model: StepCostModel, measuredMs: Partial<Record<PresetName, number>>): { presets: PresetSpeed[]; defaultPreset: PresetName } {
  const presets = PRESET_ORDER.map((preset) => {
    const ms = measuredMs[preset];
    return ms !== undefined ? { preset, stepsPerSec: 1000 / ms, measured: true } : { preset, stepsPerSec: 1000 / estimateStepMs(model, preset), measured: false };
  });
  const largestMeasured = [...PRESET_ORDER].reverse().find((p) => measuredMs[p] !== undefined) ?? PROBE_PRESET;
  const slowSideMsPerFlop = (measuredMs[largestMeasured] ?? estimateStepMs(model, largestMeasured)) / presetFlops(largestMeasured);
  const live = (s: PresetSpeed) => (s.measured ? s.stepsPerSec : 1000 / (slowSideMsPerFlop * presetFlops(s.preset))) >= LIVE_STEPS_PER_SEC;
  const defaultPreset = [...presets].reverse().find(live)?.preset ?? PROBE_PRESET;
  return { presets, defaultPreset };
}

/** The fastest measured backend (by micro's steady steps/s); the first that started if none was. */
export function fastestBackend(trials: BackendTrial[]): BackendName | null {
  const measured = trials.filter((t) => t.stepsPerSec !== null).sort((a, b) => b.stepsPerSec! - a.stepsPerSec!);
  return measured[0]?.name ?? trials.find((t) => t.outcome !== 'unavailable' && t.outcome !== 'failed')?.name ?? null;
}

/** The promise's value, or null when it takes longer than `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs one workload on `worker` until done, `deadlineMs`, or `giveUp(times)` says it is clearly slower. */
async function timeWorkload(worker: ProbeWorker, preset: PresetName, batchSize: number, deadlineMs: number, giveUp: (t: StepTimes) => boolean = () => false,
  enoughMs = ENOUGH_TIMED_MS): Promise<StepTimes> {
  const started = performance.now();
  const times: StepTimes = { firstMs: null, stepMs: [], stopped: false, elapsedMs: 0 };
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const timer = setTimeout(stop, deadlineMs);
  const work = worker.timeSteps(preset, batchSize, { maxSteps: MAX_STEPS, enoughMs }, (ms) => {
    if (times.firstMs === null) times.firstMs = ms;
    else times.stepMs.push(ms);
    if (giveUp(times)) stop();
  });
  const finished = await Promise.race([work.then(() => true), stopped.then(() => false)]).finally(() => clearTimeout(timer));
  times.stopped = !finished;
  times.elapsedMs = performance.now() - started;
  return times;
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
  const progress = (note: string) => options.onProgress?.(trials.map((t) => ({ ...t })), note);
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

/** micro at a second batch size (same kernels, 4x the FLOPs): the step's fixed and per-FLOP cost. */
async function fitOn(worker: ProbeWorker, probeMs: number): Promise<StepCostModel> {
  const times = await timeWorkload(worker, PROBE_PRESET, FIT_BATCH, LEADER_DEADLINE_MS, undefined, FIT_TIMED_MS);
  return fitStepCost(probeMs, times.stopped ? null : steadyMs(times));
}

/** One backend in a fresh worker: micro's steps until done, the deadline, or clearly slower than
 *  `best`. A GPU challenger first compiles one shader: if that, times the shaders of a step, cannot
 *  fit the deadline, the step is never started. The worker is returned when it can run more. */
async function measureTrial(open: OpenProbeWorker, name: BackendName, deadline: number, best: number, challenger: boolean):
  Promise<{ trial: BackendTrial; times: StepTimes | null; worker: ProbeWorker | null }> {
  const started = performance.now();
  const trial: BackendTrial = { name, adapter: '', isSoftware: false, threads: null, outcome: 'unavailable', shaderMs: null, stepsPerSec: null, firstStepMs: null, elapsedMs: 0 };
  const done = (times: StepTimes | null, worker: ProbeWorker | null) => ({ trial: { ...trial, elapsedMs: performance.now() - started }, times, worker });
  let worker: ProbeWorker;
  try {
    const opening = open(name);
    const opened = challenger ? await withDeadline(opening, deadline) : await opening; // a challenger must start within its deadline too
    if (!opened) {
      void opening.then((late) => late.close(), () => {});
      trial.outcome = 'stopped';
      return done(null, null);
    }
    worker = opened;
  } catch {
    return done(null, null);
  }
  Object.assign(trial, { adapter: worker.info.adapter, isSoftware: worker.info.isSoftware, threads: worker.info.threads });
  try {
    if (challenger && GPU_BACKENDS.includes(name)) {
      // waiting longer than deadline / MIN_SHADERS_PER_STEP already decides it: stop there
      const shaderStarted = performance.now();
      trial.shaderMs = (await withDeadline(worker.firstShaderMs(), deadline / MIN_SHADERS_PER_STEP)) ?? performance.now() - shaderStarted; // timed out: at least this
      if (trial.shaderMs * MIN_SHADERS_PER_STEP > deadline) {
        trial.outcome = 'stopped';
        worker.close();
        return done(null, null);
      }
    }
    const giveUp = (t: StepTimes) => best > 0 && t.stepMs.length > 0 && 1000 / median(t.stepMs) < best / CLEARLY_SLOWER;
    const times = await timeWorkload(worker, PROBE_PRESET, PROBE_BATCH, deadline - (performance.now() - started), giveUp);
    const ms = steadyMs(times);
    Object.assign(trial, { outcome: times.stopped ? 'stopped' : 'measured', stepsPerSec: ms === null ? null : 1000 / ms, firstStepMs: times.firstMs });
    if (times.stopped) worker.close(); // it may still be busy: nothing more can run there
    return done(times, times.stopped ? null : worker);
  } catch {
    trial.outcome = 'failed';
    worker.close();
    return done(null, null);
  }
}

/** On the chosen backend: its cost model (fitted now if the leader was not the winner), then each
 *  bigger preset whose estimated first steps fit in what is left of the budget. */
async function measurePresets(open: OpenProbeWorker, chosen: BackendName, workers: Map<BackendName, ProbeWorker>, probe: StepTimes | null,
  fitted: StepCostModel | null, started: number, progress: (note: string) => void): Promise<{ model: StepCostModel; ms: Partial<Record<PresetName, number>> }> {
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
      if (costOf(estimateStepMs(model, preset)) > left()) break;
      progress(`Measuring ${preset} on ${chosen}…`);
      const times = await timeWorkload(await ensureWorker(), preset, PRESETS[preset].batchSize, left());
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
