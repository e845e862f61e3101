// The page's handles on its workers (Comlink): the training worker, restartable after a lost device,
// and a fresh measurement worker per measurement of the bare step (the startup measurement's first
// backend is measured in the training worker).
import * as Comlink from 'comlink';
import type { OpenProbeWorker, ProbeWorker } from './backendChoice';
import type { Probe } from '../worker/measurement/probe';
import type { BackendName } from '../worker/protocol';
import type { MeasurementWorkerApi } from '../worker/measurement/measurement.worker';
import type { TrainerApi } from '../worker/trainerApi';

export interface WorkerHandle {
  api: Comlink.Remote<TrainerApi>;
  terminate(): void;
}

export function startTrainingWorker(onCrash: (message: string) => void): WorkerHandle {
  const worker = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module', name: 'ijepa-trainer' });
  worker.addEventListener('error', (event) => onCrash(`The training worker failed: ${event.message || 'script error'}`));
  worker.addEventListener('messageerror', () => onCrash('A message from the training worker could not be read.'));
  const api = Comlink.wrap<TrainerApi>(worker);
  return {
    api,
    terminate: () => {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

/** A fresh worker for one measurement (its own tfjs, GPU device and shader cache). */
export function startMeasurementWorker(): { api: Comlink.Remote<MeasurementWorkerApi>; terminate(): void } {
  const worker = new Worker(new URL('../worker/measurement/measurement.worker.ts', import.meta.url), {
    type: 'module',
    name: 'ijepa-measurement',
  });
  const api = Comlink.wrap<MeasurementWorkerApi>(worker);
  return { api, terminate: () => worker.terminate() };
}

const START_TIMEOUT_MS = 10_000; // a backend that cannot even start in this time is not available

/** The training worker, offered to the startup measurement for its first backend (the likely winner):
 *  measured there, a run on that backend starts warm. `onClosed`: the measurement closed it (its
 *  backend lost, failed or was stopped), so the page needs a fresh one. */
export interface LeaderWorker {
  handle: WorkerHandle;
  onClosed(): void;
}

/** Opens the startup measurement's workers (./backendChoice.ts): the first backend in `leader` when
 *  given, every other in a fresh worker of its own. */
export function probeWorkerOpener(wasmThreads?: number, leader?: LeaderWorker): OpenProbeWorker {
  let leaderOffered = false;
  return async (backend) => {
    const useLeader = leader !== undefined && !leaderOffered;
    leaderOffered = true;
    if (useLeader) {
      const close = () => {
        leader.handle.terminate();
        leader.onClosed();
      };
      return { ...(await startProbe(leader.handle.api.probe, backend, wasmThreads, close)), close, kept: true };
    }
    const worker = startMeasurementWorker();
    return startProbe(worker.api.probe, backend, wasmThreads, () => worker.terminate());
  };
}

/** One backend started in a worker's probe (closed when it does not start within START_TIMEOUT_MS). */
async function startProbe(
  probe: Comlink.Remote<Probe>,
  backend: BackendName,
  wasmThreads: number | undefined,
  close: () => void,
): Promise<ProbeWorker> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${backend} did not start`)), START_TIMEOUT_MS)),
  );
  try {
    const info = await Promise.race([probe.start(backend, wasmThreads), timeout]);
    return {
      info,
      timeSteps: (preset, batchSize, limits, onStep) => probe.timeSteps(preset, batchSize, limits, Comlink.proxy(onStep)),
      firstShaderMs: () => probe.firstShaderMs(),
      heapBytes: () => probe.heapBytes(),
      close,
    };
  } catch (error) {
    close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
