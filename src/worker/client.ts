// The main thread's handle on the training worker (Comlink), restartable after a lost device.
import * as Comlink from 'comlink';
import type { BenchWorkerApi } from './bench.worker';
import type { TrainerApi } from './trainerApi';

export interface WorkerHandle {
  api: Comlink.Remote<TrainerApi>;
  terminate(): void;
}

export function startTrainingWorker(onCrash: (message: string) => void): WorkerHandle {
  const worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module', name: 'ijepa-trainer' });
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

/** A fresh worker for one benchmark measurement (its own tfjs, GPU device and shader cache). */
export function startBenchWorker(): { api: Comlink.Remote<BenchWorkerApi>; terminate(): void } {
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'ijepa-bench' });
  const api = Comlink.wrap<BenchWorkerApi>(worker);
  return { api, terminate: () => worker.terminate() };
}
