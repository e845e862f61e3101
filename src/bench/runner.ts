// The `?bench` page mode: for every chosen backend and preset, (1) the bare step in a fresh worker
// (time to first step, ms/step, kernels, FLOP/s, memory), with the fused kernels and again with
// the plain tfjs ops where the backend has fused kernels, (2) on WebGPU the time to first step
// again in another fresh worker, with shaders precompiled, and (3) the full app's steps/s: this
// page's own trainer, with its masks, metrics and panels, timed from the page. Figures only: no
// pass or fail.
import { create } from 'zustand';
import type { PresetName } from '../ijepa/config';
import { startMeasurementWorker } from '../client/workers';
import { isActivePhase, type BackendName } from '../worker/protocol';
import { useAppStore, type AppState } from '../store/appStore';
import type { BenchRequest } from './url';
import { overheadRatio, type AppLoop, type BenchCell, type BenchReport } from './report';
import { actions } from '../store/trainerConnection';

const MIN_APP_WINDOW_MS = 10_000;
const MAX_APP_STEPS = 50; // enough for the overhead ratio; a long memory check needs no long app window

interface BenchState {
  running: boolean;
  progress: string;
  report: BenchReport | null;
}

export const useBenchStore = create<BenchState>(() => ({ running: false, progress: '', report: null }));

class OverBudget extends Error {}

function withBudget<T>(work: Promise<T>, budgetSec: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new OverBudget(`over the ${budgetSec} s budget`));
    }, budgetSec * 1000);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `fn` in a fresh benchmark worker, which is terminated afterwards (or when over budget). */
async function inFreshWorker<T>(budgetSec: number, fn: (api: ReturnType<typeof startMeasurementWorker>['api']) => Promise<T>): Promise<T> {
  const worker = startMeasurementWorker();
  try {
    return await withBudget(fn(worker.api), budgetSec, () => worker.terminate());
  } finally {
    worker.terminate();
  }
}

/** Resolves (with the time) as soon as the page's state satisfies `predicate`. */
function whenApp(predicate: (s: AppState) => boolean): Promise<number> {
  return new Promise((resolve) => {
    if (predicate(useAppStore.getState())) return resolve(performance.now());
    const stop = useAppStore.subscribe((s) => {
      if (!predicate(s)) return;
      stop();
      resolve(performance.now());
    });
  });
}

/** The page's own training loop on `preset`: steps per second after compilation and warm-up. The
 *  model is the bare step's (the preset under the `reference` recipe): the browser recipe's wider
 *  predictor would make the ratio of the two a comparison of two models, not the app's overhead. */
async function measureAppLoop(preset: PresetName, backend: BackendName, request: BenchRequest): Promise<AppLoop> {
  if (useAppStore.getState().backend?.name !== backend) await actions.setBackend(backend);
  useAppStore.getState().setRecipe('reference');
  useAppStore.getState().setPreset(preset);
  await actions.applySettings(); // a fresh run of the preset
  const { predEmbedDim, predDepth } = useAppStore.getState().config;
  await actions.train();
  const work = (async () => {
    const from = 1 + request.warmup;
    const started = await whenApp((s) => s.status.step >= from);
    const firstSeen = useAppStore.getState().status.step;
    // metrics reach the page in batches (about 10 per second): time a window long enough that the
    // batching is noise, and never fewer than the requested steps
    const steps = Math.min(request.steps, MAX_APP_STEPS);
    const ended = await whenApp(
      (s) => (s.status.step >= firstSeen + steps && performance.now() - started >= MIN_APP_WINDOW_MS) || s.status.phase === 'error',
    );
    const { step, phase, message } = useAppStore.getState().status;
    if (phase === 'error') throw new Error(message);
    const predictor = { width: predEmbedDim, depth: predDepth };
    return { steps: step - firstSeen, stepsPerSec: ((step - firstSeen) * 1000) / (ended - started), predictor };
  })();
  try {
    return await withBudget(work, request.budgetSec, () => {});
  } finally {
    await actions.pause();
    await whenApp((s) => !isActivePhase(s.status.phase));
    await actions.reset();
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A cell with nothing measured yet. */
const emptyCell = (preset: PresetName, backend: BackendName): BenchCell => ({
  preset,
  backend,
  bare: null,
  plain: null,
  decoder: null,
  precompiled: null,
  app: null,
  overheadRatio: null,
  error: null,
});

/** One (preset, backend) cell: the bare step, the plain-ops step, precompiled first step, the app loop. */
async function measureCell(
  preset: PresetName,
  backend: BackendName,
  request: BenchRequest,
  progress: (text: string) => void,
): Promise<BenchCell> {
  const cell = emptyCell(preset, backend);
  const label = `${preset} on ${backend}`;
  try {
    progress(`${label}: the bare step (${request.warmup} warm-up + ${request.steps} timed steps, then one profiled)`);
    const step = (variant: { fused: boolean; decoder?: boolean }) =>
      inFreshWorker(request.budgetSec, (api) => api.run({ preset, backend, steps: request.steps, warmup: request.warmup, ...variant }));
    cell.bare = await step({ fused: true });
    if (cell.bare.fused && request.comparePlain) {
      progress(`${label}: the same step with the plain tfjs ops (before the fused kernels)`);
      cell.plain = await step({ fused: false });
    }
    if (request.compareDecoder) {
      progress(`${label}: the same step with the pixel decoder beside it`);
      cell.decoder = await step({ fused: true, decoder: true });
    }
    if (backend === 'webgpu') {
      progress(`${label}: time to first step with precompiled shaders`);
      cell.precompiled = await inFreshWorker(request.budgetSec, (api) => api.firstStep(preset, backend, true));
    }
    progress(`${label}: the app's own loop (${Math.min(request.steps, MAX_APP_STEPS)} steps, at least ${MIN_APP_WINDOW_MS / 1000} s)`);
    cell.app = await measureAppLoop(preset, backend, request);
    cell.overheadRatio = overheadRatio(cell.app, cell.bare);
  } catch (error) {
    cell.error = message(error);
  }
  return cell;
}

async function measureOneThread(preset: PresetName, request: BenchRequest, progress: (text: string) => void): Promise<BenchCell> {
  const cell: BenchCell = { ...emptyCell(preset, 'wasm'), threads: 1 };
  try {
    progress(`${preset} on wasm, 1 thread: the bare step`);
    cell.bare = await inFreshWorker(request.budgetSec, (api) =>
      api.run({ preset, backend: 'wasm', steps: request.steps, warmup: request.warmup, fused: true, wasmThreads: 1 }),
    );
  } catch (error) {
    cell.error = message(error);
  }
  return cell;
}

export async function runBenchmark(request: BenchRequest): Promise<BenchReport> {
  const app = useAppStore.getState();
  const restore = {
    preset: app.preset,
    recipe: app.recipe,
    backend: app.backend?.name,
    evalEvery: app.evalEvery,
    autosaveEvery: app.autosaveEvery,
  };
  const report: BenchReport = {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    adapter: app.backend?.adapter ?? 'unknown',
    steps: request.steps,
    warmup: request.warmup,
    cells: [],
  };
  const progress = (text: string) => useBenchStore.setState({ progress: text, report: { ...report, cells: [...report.cells] } });
  useBenchStore.setState({ running: true, report: null });
  await actions.setEvalEvery(0); // the app loop is timed without evaluations or autosaves
  await actions.setAutosaveEvery(0);
  try {
    for (const backend of request.backends) {
      for (const preset of request.presets) {
        const cell = await measureCell(preset, backend, request, progress);
        if (cell.bare && (report.cells.length === 0 || backend === 'webgpu')) report.adapter = cell.bare.adapter;
        report.cells.push(cell);
        // WASM once more on one thread: what threads add (its app loop runs on every core only)
        if (backend === 'wasm') report.cells.push(await measureOneThread(preset, request, progress));
      }
    }
  } finally {
    useAppStore.getState().setRecipe(restore.recipe);
    useAppStore.getState().setPreset(restore.preset);
    await actions.applySettings();
    if (restore.backend && restore.backend !== useAppStore.getState().backend?.name) await actions.setBackend(restore.backend);
    await actions.setEvalEvery(restore.evalEvery);
    await actions.setAutosaveEvery(restore.autosaveEvery);
    useBenchStore.setState({ running: false, progress: 'Done.', report: { ...report, cells: [...report.cells] } });
  }
  return report;
}
