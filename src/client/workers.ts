// The page's handles on its workers (Comlink): the training worker, restartable after a lost device,
// and a fresh measurement worker per measurement of the bare step.
import * as Comlink from 'comlink';
import type { OpenProbeWorker } from './backendChoice';
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

/** Opens the startup measurement's workers (./backendChoice.ts): one fresh worker per backend. */
export function probeWorkerOpener(wasmThreads?: number): OpenProbeWorker {
  return async (backend) => {
    const worker = startMeasurementWorker();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${backend} did not start`)), START_TIMEOUT_MS)),
    );
    try {
      const info = await Promise.race([worker.api.start(backend, wasmThreads), timeout]);
      return {
        info,
        timeSteps: (preset, batchSize, limits, onStep) => worker.api.timeSteps(preset, batchSize, limits, Comlink.proxy(onStep)),
        firstShaderMs: () => worker.api.firstShaderMs(),
        close: () => worker.terminate(),
      };
    } catch (error) {
      worker.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
