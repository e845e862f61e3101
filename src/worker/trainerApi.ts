// The one module the training worker exposes (through Comlink). Environment-specific pieces
// (backends, image decoding) are injected, so Node tests drive this module without a Worker.
import * as Comlink from 'comlink';
import type { PickedFile } from '../data/files';
import type { IJepaConfig } from '../ijepa/config';
import { fusedKernelErrors } from '../ijepa/kernelCheck';
import { DatasetManager, type Decoder } from './dataset/datasetManager';
import type { BackendOptions } from './backends/backends';
import type { WebGpuAdapter } from './backends/gpuAdapter';
import { shouldPrecompile } from './backends/precompile';
import { createProbe } from './measurement/probe';
import {
  FIRST_OPEN_SET,
  type BackendInfo,
  type BackendName,
  type BuiltinSet,
  type DatasetImages,
  type DatasetSummary,
  type RunStatus,
  type WorkerEvent,
} from './protocol';
import type { RunStorage } from './run/persistence';
import { RunKeeper, type ExportKind } from './run/runKeeper';
import { TrainingSession } from './run/session';

export interface TrainerEnv {
  selectBackend(options: BackendOptions): Promise<BackendInfo>;
  /** The image decoders: `count` in parallel, or one per core. */
  decoders(count?: number): Decoder;
  gpuBytes(): number | null;
  deviceLost(): Promise<string> | null;
  destroyDevice?(): void; // test hook
  /** Grows the backend's memory to `bytes` and touches it on another thread (./backends/heapWarmer.ts). */
  warmHeap?(bytes: number): Promise<boolean>;
  storage: RunStorage;
}

/** Where to run: the startup measurement's choice (or the link's), what it found available, threads. */
export interface InitOptions {
  backend?: BackendName;
  available?: BackendName[];
  wasmThreads?: number;
  decoders?: number;
  dataset?: BuiltinSet; // the built-in set to open on (FIRST_OPEN_SET unless the link names one)
  webgpuAdapter?: WebGpuAdapter | null; // as the page described it at load (undefined: the worker asks)
  warmHeapBytes?: number; // what a step of this run grew the WASM heap to when the page measured it
}

export interface InitResult {
  backend: BackendInfo;
  status: RunStatus;
  dataset: DatasetSummary;
}

export function createTrainerApi(env: TrainerEnv) {
  let listener: (e: WorkerEvent) => void = () => {};
  const emit = (e: WorkerEvent) => listener(e);
  let data: DatasetManager | null = null;
  let session: TrainingSession | null = null;
  let runOptions: InitOptions = {};
  let available: BackendName[] = [];

  const need = () => {
    if (!data || !session) throw new Error('The trainer is not initialised yet.');
    return { data, session };
  };
  const watchDevice = () => {
    void env.deviceLost()?.then((reason) => session?.deviceLost(reason));
  };

  return {
    /** The startup measurement of this worker's backend (./measurement/probe.ts): the page measures
     *  its likely winner here, so that a run on it starts warm. */
    probe: Comlink.proxy(createProbe(env.selectBackend)), // a proxy: called through the page's Remote as an object of its own
    /** Loads a built-in set (about a second of plain JavaScript, no backend needed), so the page can
     *  have it done while the last backends are being measured. */
    async prepareData(side: number, onEvent: (e: WorkerEvent) => void, decoders?: number, set = FIRST_OPEN_SET): Promise<DatasetSummary> {
      listener = onEvent;
      data ??= new DatasetManager(emit, env.decoders(decoders), side);
      if (data.summary().source === 'empty') await data.loadBuiltin(set, side);
      return data.summary();
    },
    /** Starts a backend and prepares a run of `config` (on a built-in set, loaded now unless prepared). */
    async init(config: IJepaConfig, onEvent: (e: WorkerEvent) => void, options: InitOptions = {}): Promise<InitResult> {
      listener = onEvent;
      runOptions = options;
      const backend = await env.selectBackend({
        preferred: options.backend,
        available: options.available,
        wasmThreads: options.wasmThreads,
        webgpuAdapter: options.webgpuAdapter,
      });
      available = backend.available;
      watchDevice();
      const heapWarmed = options.warmHeapBytes ? env.warmHeap?.(options.warmHeapBytes) : undefined; // beside the rest of the set-up
      const dataset = data ?? new DatasetManager(emit, env.decoders(options.decoders), config.cropSize);
      data = dataset;
      if (dataset.summary().source === 'empty') await dataset.loadBuiltin(options.dataset ?? FIRST_OPEN_SET, config.cropSize);
      else await dataset.resize(config.cropSize);
      const keeper = new RunKeeper(
        emit,
        env.storage,
        () => dataset.store,
        () => dataset.split(),
        () => dataset.summary(),
      );
      session = new TrainingSession(config, data, emit, { gpuBytes: env.gpuBytes }, keeper);
      session.precompileShaders = shouldPrecompile(backend);
      if (heapWarmed) session.heapWarmed = heapWarmed;
      return { backend, status: session.status(), dataset: dataset.summary() };
    },
    async setBackend(name: BackendName): Promise<BackendInfo> {
      const { session } = need();
      await session.reset(); // the run's tensors live on the old backend
      const started = await env.selectBackend({ preferred: name, available: [name], wasmThreads: runOptions.wasmThreads });
      const info = { ...started, available: [...new Set([...available, ...started.available])] };
      session.precompileShaders = shouldPrecompile(info);
      watchDevice();
      emit({ type: 'backend', info });
      return info;
    },
    loadBuiltin: (set: BuiltinSet) => need().data.loadBuiltin(set),
    clearDataset: () => need().data.clear(),
    addFiles: (files: PickedFile[], unreadable: string[] = []) => need().data.addFiles(files, unreadable),
    cancelImport: () => need().data.cancelImport(),
    configure: (config: IJepaConfig) => need().session.configure(config),
    start: () => need().session.start(),
    pause: () => need().session.pause(),
    step: () => need().session.step(),
    reset: () => need().session.reset(),
    status: () => need().session.status(),
    datasetSummary: () => need().data.summary(),
    /** Evaluation every `steps` steps (0: only on request). */
    setEvalEvery: (steps: number) => void (need().session.keeper.evalEvery = Math.max(0, Math.floor(steps))),
    setPredictorView: (on: boolean) => void (need().session.predictorView = on),
    setPixelDecoder: (on: boolean) => void (need().session.pixelDecoder = on),
    setAutosaveEvery: (steps: number) => void (need().session.keeper.autosaveEvery = Math.max(0, Math.floor(steps))),
    evaluateNow: () => need().session.evaluateNow(),
    /** Nearest neighbours of a dataset image under the newest evaluation's encoders (null: it was not embedded). */
    neighbours: (index: number, k: number) => need().session.keeper.evaluator.neighbours(index, k),
    /** Dataset images by index, as stored (for the map's hover and the query strip). */
    images: (indices: number[]): DatasetImages => {
      const { store } = need().data;
      const valid = indices.filter((i) => Number.isInteger(i) && i >= 0 && i < store.count);
      return { side: store.side, indices: valid, rgb: store.gather(valid) };
    },
    /** Checkpoint bytes, transferred (not copied) to the page. */
    exportCheckpoint: async (kind: ExportKind) => {
      const bytes = await need().session.exportCheckpoint(kind);
      return Comlink.transfer(bytes, [bytes.buffer]);
    },
    /** The run for the reference trainer: its .pth.tar (transferred) and the YAML that resumes from it. */
    exportForReference: async () => {
      const files = await need().session.referenceExport();
      return Comlink.transfer(files, [files.checkpoint.buffer]);
    },
    importCheckpoint: (bytes: Uint8Array) => need().session.restore(bytes),
    savedRun: () => need().session.keeper.savedSummary(),
    resumeSavedRun: async () => {
      const saved = await need().session.keeper.loadSaved();
      if (!saved) throw new Error('There is no saved run.');
      return need().session.restore(saved.bytes);
    },
    discardSavedRun: () => need().session.keeper.discardSaved(),
    /** Test hook: the next training batch is all NaN. */
    testPoisonNextStep: () => need().session.poisonNextStep(),
    /** Test hook: lose the GPU device. */
    testLoseDevice: () => env.destroyDevice?.(),
    /** Test hook: the fused kernels against the plain ops on this backend (max abs errors). */
    testFusedKernelErrors: () => fusedKernelErrors(),
  };
}

export type TrainerApi = ReturnType<typeof createTrainerApi>;
