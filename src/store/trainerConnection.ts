// Connects the page to the training worker: forwards intents, turns worker events into store
// updates and series, keeps the URL in step with the settings, and restarts a crashed worker.
import * as Comlink from 'comlink';
import type { PickedFile } from '../data/files';
import { isActivePhase, type BackendName, type BuiltinSet, type QualityUpdate, type WorkerEvent } from '../worker/protocol';
import { startTrainingWorker, type WorkerHandle } from '../client/workers';
import { gpuHints } from '../worker/backends/gpuAdapter';
import { MAX_CHECKPOINT_BYTES } from '../ijepa/torch/referenceModels';
import { emptyLive, useAppStore } from './appStore';
import { localStore } from './localStore';
import type { Measurement } from '../client/rememberedMeasurement';
import { adoptMeasurement, markStartup, measureThisMachine } from './machineMeasurement';
import { call } from './workerCall';
import { validateConfig } from '../ijepa/validate';
import {
  attachExperiments,
  experimentEvaluated,
  experimentMayContinue,
  experimentStatus,
  experimentTrainerStarted,
  type ExperimentDriver,
} from './experimentQueue';
import {
  beforeRestore,
  endRun,
  keepCheckpoint,
  keepRun,
  keptRunId,
  nameNextRun,
  openRunLibrary,
  restoringRun,
  resumeKeptRun,
} from './keptRuns';
import { datasetOf, type KeptRun } from './runLibrary';
import { runHistory } from './metrics';
import { readSettingsFromUrl, runOverrides, setUrlParam, writeUrl } from './url';

let handle: WorkerHandle | null = null;
let importedFiles: PickedFile[] = []; // re-imported into a restarted worker

const store = useAppStore;

function onWorkerEvent(event: WorkerEvent): void {
  switch (event.type) {
    case 'status': {
      const previous = store.getState().status.phase;
      store.setState({ status: event.status });
      experimentStatus(event.status, previous);
      if (['paused', 'done', 'error'].includes(event.status.phase)) keepRun(true);
      if (['paused', 'done'].includes(event.status.phase))
        void keepCheckpoint(() =>
          api()
            .exportCheckpoint('full')
            .catch(() => undefined),
        );
      break;
    }
    case 'metrics': {
      const { records, masks, status, ...rest } = event.update;
      runHistory.append(records, masks);
      const last = records[records.length - 1];
      const previous = store.getState().status.phase;
      store.setState((s) => ({
        status,
        live: { ...s.live, ...rest, ...(last ? { loss: last.loss, lr: last.lr, wd: last.wd, momentum: last.momentum } : {}) },
      }));
      experimentStatus(status, previous);
      if (status.step >= 1) markStartup('firstStep');
      keepRun();
      break;
    }
    case 'dataset':
      store.setState({ dataset: event.summary });
      void experimentMayContinue();
      break;
    case 'import':
      store.setState({ importProgress: event.progress });
      break;
    case 'backend':
      store.setState({ backend: event.info });
      break;
    case 'reset':
      endRun(); // kept as it ended, before its history goes
      runHistory.clear();
      store.setState({ live: emptyLive, quality: [], neighbours: null, neighbourNote: '', queryStrip: null });
      break;
    case 'quality':
      // keep the patch-feature images of the newest evaluation only
      store.setState((s) => ({ quality: [...s.quality.map((q) => ({ ...q, patchView: null })), event.update] }));
      keepRun(true);
      experimentEvaluated(event.update.record.step);
      void refreshLearned(event.update);
      break;
    case 'evaluating':
      store.setState({ evaluating: event.progress });
      break;
    case 'restored': {
      const { config, status, quality } = event.run;
      restoringRun({ preset: store.getState().preset, recipe: store.getState().recipe, config });
      runHistory.load(event.run.columns);
      store.setState({ config, configProblems: [], status, quality, live: emptyLive, appliedConfig: JSON.stringify(config) });
      keepRun(true);
      writeUrl(store.getState().preset, config, store.getState().recipe);
      break;
    }
  }
}

/** Starts (or restarts) the trainer: measures the machine (or recalls its measurement), opens on the
 *  measured backend and preset (the link's wins), loads the sample set or re-imports the person's files. */
export async function connectTrainer({ remeasure = false } = {}): Promise<void> {
  handle?.terminate();
  handle = null;
  endRun();
  runHistory.clear();
  void openRunLibrary();
  attachExperiments(experimentDriver, localStore());
  store.setState({ workerReady: false, live: emptyLive });
  const overrides = runOverrides(window.location.search);
  // The training worker starts at once (its script loads while the page recalls or measures) and is
  // offered to the measurement for its first backend, the likely winner: measured there, a run on it
  // starts warm (the backend started, memory grown to a step's needs, a GPU's shaders compiled). On a
  // first visit it draws the sample set once that backend is measured (the other backends' trials run
  // beside it, while the first had the machine to itself); on a return visit, after starting its backend.
  const newWorker = () => startTrainingWorker((message) => store.getState().notify(message));
  const first = newWorker();
  handle = first;
  const leader = {
    handle: first,
    onClosed: () => {
      if (handle === first) handle = null; // its backend lost or was stopped: a fresh worker trains
    },
  };
  let prepared: { worker: WorkerHandle; done: Promise<unknown> } | null = null;
  const prepare = (): Promise<unknown> => {
    const worker = (handle ??= newWorker()); // a fresh one where the measurement closed the first
    if (prepared?.worker !== worker)
      prepared = {
        worker,
        done: call('Loading the built-in images', () =>
          worker.api.prepareData(store.getState().config.cropSize, Comlink.proxy(onWorkerEvent), overrides.decoders, overrides.dataset),
        ),
      };
    return prepared.done;
  };
  // the GPUs described now, before any trial: the trainer reports the WebGPU adapter from this (asked
  // again after the measurement's WebGPU trial, the browser answers ~1 s later: the GPU process is busy)
  const gpus = overrides.backend && overrides.presetFromLink ? null : await gpuHints(); // null: the link chose, nothing measured
  // the page opens as soon as the first backend, the likely winner, and its presets are measured; the
  // other backends are timed meanwhile, and the final figures adopted when they come (adoptMeasurement)
  let leaderReady: (provisional: Measurement) => void = () => {};
  const openedOnLeader = new Promise<Measurement>((resolve) => (leaderReady = resolve));
  const measuring = measureThisMachine(overrides, gpus, prepare, remeasure, leader, leaderReady);
  const measurement = await Promise.race([measuring, openedOnLeader]);
  if (measurement && !overrides.presetFromLink) readSettingsFromUrl(measurement.defaultPreset); // the link's other settings on the measured preset
  if (prepared) await prepare(); // else the trainer loads the set after starting its backend
  handle ??= newWorker();
  const { config } = store.getState();
  const options = {
    backend: overrides.backend ?? measurement?.chosen,
    available: measurement?.available,
    wasmThreads: overrides.wasmThreads,
    decoders: overrides.decoders,
    dataset: overrides.dataset,
    webgpuAdapter: gpus?.webgpuAdapter,
    // the memory a step of this preset needed when measured, grown and touched beside the set-up (where
    // this worker measured it, it has grown already: nothing to do)
    warmHeapBytes: measurement?.heapBytes?.[store.getState().preset],
  };
  const result = await call('Starting the trainer', () => handle!.api.init(config, Comlink.proxy(onWorkerEvent), options));
  if (!result) return;
  store.setState({
    backend: result.backend,
    status: result.status,
    dataset: result.dataset,
    workerReady: true,
    quality: [],
    appliedConfig: JSON.stringify(config),
  });
  markStartup('ready');
  const { evalEvery, autosaveEvery } = store.getState();
  await call('Setting the evaluation interval', () => handle!.api.setEvalEvery(evalEvery));
  if (!overrides.predictorView) await call('Turning the predictor view off', () => handle!.api.setPredictorView(false));
  store.setState({ decoderView: overrides.decoderView });
  if (!overrides.decoderView) await call('Turning the pixel decoder off', () => handle!.api.setPixelDecoder(false));
  await call('Setting the autosave interval', () => handle!.api.setAutosaveEvery(autosaveEvery));
  if (importedFiles.length > 0) await call('Re-importing your files', () => handle!.api.addFiles(importedFiles));
  else store.setState({ savedRun: (await call('Looking for a saved run', () => handle!.api.savedRun())) ?? null });
  await experimentTrainerStarted();
  const opened = handle!;
  if (measurement) void measuring.then((final) => adoptMeasurement(measurement, final, opened.api, () => handle === opened));
}

const NEIGHBOURS = 8; // shown per encoder, the query's own image first when it is in the set
const QUERY_STRIP = 12; // held-out images offered as queries

/** A new evaluation: the held-out strip (when its images changed) and the shown neighbours again. */
async function refreshLearned(update: QualityUpdate): Promise<void> {
  const strip = update.map ? Array.from(update.map.indices.subarray(0, QUERY_STRIP)) : [];
  if (strip.length > 0 && strip.join() !== store.getState().queryStrip?.indices.join()) {
    const images = await call('Reading the held-out images', () => api().images(strip));
    if (images) store.setState({ queryStrip: images });
  }
  const query = store.getState().neighbourQuery ?? strip[0];
  if (query !== undefined) await showNeighbours(query);
}

async function showNeighbours(index: number): Promise<void> {
  store.setState({ neighbourQuery: index });
  const neighbours = await call('Finding neighbours', () => api().neighbours(index, NEIGHBOURS));
  if (store.getState().neighbourQuery !== index) return; // another image was picked meanwhile
  store.setState({
    neighbours: neighbours ?? null,
    neighbourNote:
      neighbours || store.getState().quality.length === 0
        ? ''
        : 'That image was not among the images the last evaluation embedded: pick one from the strip or the map.',
  });
}

/** After a lost GPU device or a crash, or asked for: a fresh worker, the machine measured again (not
 *  recalled); same settings and files, step 0. */
export const restartTrainer = () => connectTrainer({ remeasure: true });

const api = () => {
  if (!handle) throw new Error('the trainer is not running');
  return handle.api;
};

/** The settings as edited, applied before a run starts: the form applies an edit after a short pause,
 *  and Train pressed within it would otherwise train the settings from before the edit. */
async function applyPendingSettings(): Promise<void> {
  const { config, appliedConfig, configProblems, status, workerReady } = store.getState();
  const idle = workerReady && status.step === 0 && !isActivePhase(status.phase);
  if (idle && configProblems.length === 0 && JSON.stringify(config) !== appliedConfig) await actions.applySettings();
}

export const actions = {
  showNeighbours,
  images: (indices: number[]) => call('Reading images', () => api().images(indices)),
  train: async () => {
    markStartup('trainPressed');
    await applyPendingSettings();
    return call('Train', () => api().start());
  },
  pause: () => call('Pause', () => api().pause()),
  step: async () => {
    markStartup('trainPressed');
    await applyPendingSettings();
    return call('Step', () => api().step());
  },
  reset: () => call('Reset', () => api().reset()),
  /** The person's choice: kept in the link, so it wins over the measurement after a reload or Restart. */
  setBackend: (name: BackendName) => {
    setUrlParam('backend', name);
    return call('Switching backend', () => api().setBackend(name));
  },
  useBuiltin: (set: BuiltinSet) => {
    importedFiles = [];
    setUrlParam('data', set);
    return call(`Loading the ${set === 'digits' ? 'digits' : 'patterns'}`, () => api().loadBuiltin(set));
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
    const added = await call('Importing images', () => api().addFiles(files, unreadable));
    if (added === 0) store.getState().notify('None of these files could be used (the skip list says why); the dataset is unchanged.');
  },
  cancelImport: () => call('Cancel', () => api().cancelImport()),
  /** Sends the edited settings to the worker (which resets the run) and writes them to the URL. */
  applySettings: async () => {
    const { config, preset, recipe, configProblems } = store.getState();
    if (configProblems.length > 0) return;
    writeUrl(preset, config, recipe);
    store.setState({ appliedConfig: JSON.stringify(config) });
    await call('Applying settings', () => api().configure(config));
  },
  forceNaN: () => call('Forcing a NaN', () => api().testPoisonNextStep()),
  evaluateNow: () => call('Evaluating', () => api().evaluateNow()),
  setEvalEvery: (steps: number) => {
    store.setState({ evalEvery: steps });
    setUrlParam('evalEvery', String(steps));
    return call('Setting the evaluation interval', () => api().setEvalEvery(steps));
  },
  /** The pixel decoder beside the run, on or off (kept in the link: decoderView=0 is off). */
  setDecoderView: (on: boolean) => {
    store.setState({ decoderView: on });
    setUrlParam('decoderView', on ? '1' : '0');
    return call('Switching the pixel decoder', () => api().setPixelDecoder(on));
  },
  setAutosaveEvery: (steps: number) => {
    store.setState({ autosaveEvery: steps });
    return call('Setting the autosave interval', () => api().setAutosaveEvery(steps));
  },
  /** Checkpoint bytes from the worker: the whole run, or the target encoder alone. */
  checkpointBytes: (kind: 'full' | 'target') => call('Exporting', () => api().exportCheckpoint(kind)),
  /** The run's .pth.tar and the YAML that resumes from it, for the reference trainer. */
  exportForReference: () => call('Exporting for the reference trainer', () => api().exportForReference()),
  importCheckpoint: async (file: File) => {
    if (file.size > MAX_CHECKPOINT_BYTES) {
      const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
      store
        .getState()
        .notify(
          `${file.name} is ${gb(file.size)}: the page reads checkpoints up to ${gb(MAX_CHECKPOINT_BYTES)} (vit_small with its optimizer state is ~0.4 GB). Continue larger models with the reference trainer.`,
        );
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    beforeRestore('import');
    const restored = await call(`Importing ${file.name}`, () => api().importCheckpoint(bytes));
    if (restored) store.setState({ savedRun: null });
  },
  resumeSavedRun: async () => {
    beforeRestore('autosave');
    const restored = await call('Resuming the saved run', () => api().resumeSavedRun());
    beforeRestore('import'); // (the restored event has used it, or the resume failed)
    store.setState({ savedRun: null });
    return restored;
  },
  /** A kept run from the Runs panel, continued from its kept checkpoint. */
  resumeKeptRun: (run: KeptRun) => resumeKeptRun(run, (bytes) => call(`Resuming ${run.name}`, () => api().importCheckpoint(bytes))),
  /** A kept run evaluated anew: continued from its checkpoint, then evaluated there. */
  evaluateKeptRun: async (run: KeptRun) => {
    await actions.resumeKeptRun(run);
    if (store.getState().status.step === run.checkpointStep) await actions.evaluateNow();
  },
  discardSavedRun: async () => {
    store.setState({ savedRun: null });
    await call('Discarding the saved run', () => api().discardSavedRun());
  },
  loseDevice: () => call('Losing the device', () => api().testLoseDevice()),
  fusedKernelErrors: () => call('Checking the fused kernels', () => api().testFusedKernelErrors()),
};

/** The experiment queue (./experimentQueue.ts) drives the page's run with the page's own intents. */
const experimentDriver: ExperimentDriver = {
  page: () => {
    const s = store.getState();
    const last = s.quality[s.quality.length - 1];
    return {
      status: s.status,
      config: s.config,
      dataset: datasetOf(s.dataset),
      lastEvaluatedStep: last?.record.step ?? null,
      savedRun: s.savedRun,
    };
  },
  reset: actions.reset,
  configure: async (preset, recipe, config) => {
    store.setState({ preset, recipe, config, configProblems: validateConfig(config) });
    await actions.applySettings();
  },
  setEvalEvery: actions.setEvalEvery,
  train: actions.train,
  pause: actions.pause,
  evaluateNow: actions.evaluateNow,
  resumeSavedRun: async () => (await actions.resumeSavedRun())?.status.phase ?? null,
  keptRunId,
  nameNextRun,
};
