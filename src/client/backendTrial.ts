// One backend's trial in the startup measurement (./backendChoice.ts): a fresh worker, the first
// steps of `micro` until done, a deadline, or clearly slower than the best so far; a GPU challenger
// first compiles one shader, and never starts a step that cannot fit its deadline.
import type { PresetName } from '../ijepa/config';
import type { BackendInfo, BackendName } from '../worker/protocol';
import { PROBE_BATCH, PROBE_PRESET } from './presetSpeeds';

const ENOUGH_TIMED_MS = 400; // steady-state steps after the first, per workload
const MAX_STEPS = 4;
export const LEADER_DEADLINE_MS = 6000; // the first backend measured: a real GPU's shader compilation fits
const CLEARLY_SLOWER = 2; // a backend measured at under half the best rate is stopped at once
/** A GPU backend compiles about 80 shaders before its first micro step (84 on WebGPU, measured). A
 *  challenger whose first shader is not done by deadline / this is stopped there (its first step
 *  cannot fit the deadline): on a software adapter the whole step's compilation would keep the GPU
 *  process busy for half a minute, even after its worker is gone (measured: 25 s on SwiftShader after
 *  a stop at 2 s). */
export const MIN_SHADERS_PER_STEP = 50;
const GPU_BACKENDS: BackendName[] = ['webgpu', 'webgl'];

export type TrialOutcome = 'measured' | 'stopped' | 'skipped' | 'unavailable' | 'failed';

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

/** One workload's step times: the first (compilation included), then the steady ones. */
export interface StepTimes {
  firstMs: number | null;
  stepMs: number[];
  stopped: boolean; // cut at the deadline, or as clearly slower
  elapsedMs: number;
}

/** A worker with one backend started (the browser's side of the measurement): a fresh one, or for the
 *  first backend the training worker. */
export interface ProbeWorker {
  info: BackendInfo;
  timeSteps(
    preset: PresetName,
    batchSize: number,
    limits: { maxSteps: number; enoughMs: number },
    onStep: (ms: number) => void,
  ): Promise<void>;
  firstShaderMs(): Promise<number>;
  /** The memory its backend has grown to, where it can say (the WASM heap; null elsewhere). */
  heapBytes?(): Promise<number | null>;
  close(): void;
  /** The page goes on using this worker (the training worker) when its backend is chosen: the
   *  measurement then leaves it open. */
  kept?: boolean;
}
export type OpenProbeWorker = (backend: BackendName) => Promise<ProbeWorker>;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const steadyMs = (times: StepTimes): number | null => (times.stepMs.length > 0 ? median(times.stepMs) : null);

/** The promise's value, or null when it takes longer than `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs one workload on `worker` until done, `deadlineMs`, or `giveUp(times)` says it is clearly slower. */
export async function timeWorkload(
  worker: ProbeWorker,
  preset: PresetName,
  batchSize: number,
  deadlineMs: number,
  giveUp: (t: StepTimes) => boolean = () => false,
): Promise<StepTimes> {
  const started = performance.now();
  const times: StepTimes = { firstMs: null, stepMs: [], stopped: false, elapsedMs: 0 };
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const timer = setTimeout(stop, deadlineMs);
  const work = worker.timeSteps(preset, batchSize, { maxSteps: MAX_STEPS, enoughMs: ENOUGH_TIMED_MS }, (ms) => {
    if (times.firstMs === null) times.firstMs = ms;
    else times.stepMs.push(ms);
    if (giveUp(times)) stop();
  });
  const finished = await Promise.race([work.then(() => true), stopped.then(() => false)]).finally(() => clearTimeout(timer));
  times.stopped = !finished;
  times.elapsedMs = performance.now() - started;
  return times;
}

/** One backend in a fresh worker: micro's steps until done, the deadline, or clearly slower than
 *  `best`. A GPU challenger first compiles one shader: if that, times the shaders of a step, cannot
 *  fit the deadline, the step is never started. The worker is returned when it can run more. */
export async function measureTrial(
  open: OpenProbeWorker,
  name: BackendName,
  deadline: number,
  best: number,
  challenger: boolean,
): Promise<{ trial: BackendTrial; times: StepTimes | null; worker: ProbeWorker | null }> {
  const started = performance.now();
  const trial: BackendTrial = {
    name,
    adapter: '',
    isSoftware: false,
    threads: null,
    outcome: 'unavailable',
    shaderMs: null,
    stepsPerSec: null,
    firstStepMs: null,
    elapsedMs: 0,
  };
  const done = (times: StepTimes | null, worker: ProbeWorker | null) => ({
    trial: { ...trial, elapsedMs: performance.now() - started },
    times,
    worker,
  });
  let worker: ProbeWorker;
  try {
    const opening = open(name);
    const opened = challenger ? await withDeadline(opening, deadline) : await opening; // a challenger must start within its deadline too
    if (!opened) {
      void opening.then(
        (late) => late.close(),
        () => {},
      );
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
    Object.assign(trial, {
      outcome: times.stopped ? 'stopped' : 'measured',
      stepsPerSec: ms === null ? null : 1000 / ms,
      firstStepMs: times.firstMs,
    });
    if (times.stopped) worker.close(); // it may still be busy: nothing more can run there
    return done(times, times.stopped ? null : worker);
  } catch {
    trial.outcome = 'failed';
    worker.close();
    return done(null, null);
  }
}
