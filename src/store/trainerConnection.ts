// Connects the page to the training worker: forwards intents, turns worker events into store
// updates and series, keeps the URL in step with the settings, and restarts a crashed worker.
import * as Comlink from 'comlink';
import type { PickedFile } from '../data/files';
import type { BackendName, WorkerEvent } from '../worker/protocol';
import { startTrainingWorker, type WorkerHandle } from '../worker/client';
import { emptyLive, useAppStore } from './appStore';
import { runHistory } from './metrics';
import { BENCH_PARAMS } from './benchParams';
import { configToQuery, queryToConfig } from './url';

let handle: WorkerHandle | null = null;
let importedFiles: PickedFile[] = []; // re-imported into a restarted worker

const store = useAppStore;

function onWorkerEvent(event: WorkerEvent): void {
  switch (event.type) {
    case 'status':
      store.setState({ status: event.status });
      break;
    case 'metrics': {
      const { records, masks, status, ...rest } = event.update;
      runHistory.append(records, masks);
      const last = records[records.length - 1];
      store.setState((s) => ({ status, live: { ...s.live, ...rest, ...(last ? { loss: last.loss, lr: last.lr, wd: last.wd, momentum: last.momentum } : {}) } }));
      break;
    }
    case 'dataset':
      store.setState({ dataset: event.summary });
      break;
    case 'import':
      store.setState({ importProgress: event.progress });
      break;
    case 'backend':
      store.setState({ backend: event.info });
      break;
    case 'reset':
      runHistory.clear();
      store.setState({ live: emptyLive, quality: [] });
      break;
    case 'quality':
      // keep the patch-feature images of the newest evaluation only
      store.setState((s) => ({ quality: [...s.quality.map((q) => ({ ...q, patchView: null })), event.update] }));
      break;
    case 'evaluating':
      store.setState({ evaluating: event.active });
      break;
    case 'restored': {
      runHistory.load(event.run.columns);
      const { config, status, quality } = event.run;
      store.setState({ config, configProblems: [], status, quality, live: emptyLive });
      writeUrl(store.getState().preset, config);
      break;
    }
  }
}

/** Runs a worker call; a failure becomes a notice on the page, never an unhandled rejection. */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    store.getState().notify(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

export async function connectTrainer(preferred?: BackendName): Promise<void> {
  handle?.terminate();
  runHistory.clear();
  store.setState({ workerReady: false, live: emptyLive });
  handle = startTrainingWorker((message) => store.getState().notify(message));
  const { config } = store.getState();
  const result = await call('Starting the trainer', () => handle!.api.init(config, Comlink.proxy(onWorkerEvent), preferred));
  if (!result) return;
  store.setState({ backend: result.backend, status: result.status, dataset: result.dataset, workerReady: true, quality: [] });
  const { evalEvery, autosaveEvery } = store.getState();
  await call('Setting the evaluation interval', () => handle!.api.setEvalEvery(evalEvery));
  await call('Setting the autosave interval', () => handle!.api.setAutosaveEvery(autosaveEvery));
  if (importedFiles.length > 0) await call('Re-importing your files', () => handle!.api.addFiles(importedFiles));
  else store.setState({ savedRun: (await call('Looking for a saved run', () => handle!.api.savedRun())) ?? null });
}

/** After a lost GPU device or a crash: a fresh worker, same settings and files, step 0. */
export const restartTrainer = () => connectTrainer(store.getState().backend?.name);

const api = () => {
  if (!handle) throw new Error('the trainer is not running');
  return handle.api;
};

export const actions = {
  train: () => call('Train', () => api().start()),
  pause: () => call('Pause', () => api().pause()),
  step: () => call('Step', () => api().step()),
  reset: () => call('Reset', () => api().reset()),
  setBackend: (name: BackendName) => call('Switching backend', () => api().setBackend(name)),
  useSampleSet: () => {
    importedFiles = [];
    return call('Loading the sample set', () => api().loadSampleSet());
  },
  clearDataset: () => {
    importedFiles = [];
    return call('Clearing the dataset', () => api().clearDataset());
  },
  addFiles: async (files: PickedFile[], unreadable: string[] = []) => {
    if (files.length === 0 && unreadable.length === 0) {
      store.getState().notify('Nothing to import: the folder is empty (hidden files are skipped).');
      return;
    }
    importedFiles = [...importedFiles, ...files];
    await call('Importing images', () => api().addFiles(files, unreadable));
  },
  cancelImport: () => call('Cancel', () => api().cancelImport()),
  /** Sends the edited settings to the worker (which resets the run) and writes them to the URL. */
  applySettings: async () => {
    const { config, preset, configProblems } = store.getState();
    if (configProblems.length > 0) return;
    writeUrl(preset, config);
    await call('Applying settings', () => api().configure(config));
  },
  forceNaN: () => call('Forcing a NaN', () => api().testPoisonNextStep()),
  evaluateNow: () => call('Evaluating', () => api().evaluateNow()),
  setEvalEvery: (steps: number) => {
    store.setState({ evalEvery: steps });
    const params = new URLSearchParams(window.location.search);
    params.set('evalEvery', String(steps));
    window.history.replaceState(null, '', `${window.location.pathname}?${params.toString()}`);
    return call('Setting the evaluation interval', () => api().setEvalEvery(steps));
  },
  setAutosaveEvery: (steps: number) => {
    store.setState({ autosaveEvery: steps });
    return call('Setting the autosave interval', () => api().setAutosaveEvery(steps));
  },
  /** Checkpoint bytes from the worker: the whole run, or the target encoder alone. */
  checkpointBytes: (kind: 'full' | 'target') => call('Exporting', () => api().exportCheckpoint(kind)),
  importCheckpoint: async (file: File) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const restored = await call(`Importing ${file.name}`, () => api().importCheckpoint(bytes));
    if (restored) store.setState({ savedRun: null });
  },
  resumeSavedRun: async () => {
    const restored = await call('Resuming the saved run', () => api().resumeSavedRun());
    store.setState({ savedRun: null });
    return restored;
  },
  discardSavedRun: async () => {
    store.setState({ savedRun: null });
    await call('Discarding the saved run', () => api().discardSavedRun());
  },
  loseDevice: () => call('Losing the device', () => api().testLoseDevice()),
  fusedKernelErrors: () => call('Checking the fused kernels', () => api().testFusedKernelErrors()),
};

export function readSettingsFromUrl(): void {
  const parsed = queryToConfig(window.location.search);
  store.setState({ preset: parsed.preset, config: parsed.config, configProblems: [] });
  const evalEvery = Number(new URLSearchParams(window.location.search).get('evalEvery') ?? Number.NaN);
  if (Number.isInteger(evalEvery) && evalEvery >= 0) store.setState({ evalEvery });
  for (const problem of parsed.problems) store.getState().notify(`Link settings: ${problem}`);
}

export function writeUrl(preset: Parameters<typeof configToQuery>[0], config: Parameters<typeof configToQuery>[1]): void {
  const keep = new URLSearchParams(window.location.search);
  const next = new URLSearchParams(configToQuery(preset, config));
  for (const flag of ['evalEvery', 'testHooks', ...BENCH_PARAMS]) if (keep.has(flag)) next.set(flag, keep.get(flag)!);
  window.history.replaceState(null, '', `${window.location.pathname}?${next.toString()}`);
}
