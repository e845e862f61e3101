// A throwaway worker for one measurement of the bare step, for the page's startup measurement
// (src/client/backendChoice.ts) and the `?bench` page mode (src/bench): a fresh tfjs, GPU device and shader cache.
import * as Comlink from 'comlink';
import { selectBackend } from '../backends/backends';
import type { PresetName } from '../../ijepa/config';
import { benchmarkBareStep, firstShaderMs, measureFirstStep, timeSteps, type BenchOptions } from './bareStep';
import type { BackendInfo, BackendName } from '../protocol';
import { shouldPrecompile } from '../backends/precompile';

let started: BackendInfo | null = null;

async function use(backend: BackendName, wasmThreads?: number): Promise<BackendInfo> {
  const info = await selectBackend({ preferred: backend, available: [backend], wasmThreads });
  if (info.name !== backend) throw new Error(`${backend} is not available in this browser`);
  started = info;
  return info;
}

const api = {
  async run(options: BenchOptions) {
    return benchmarkBareStep(options, await use(options.backend, options.wasmThreads));
  },
  async firstStep(preset: PresetName, backend: BackendName, precompile: boolean) {
    await use(backend);
    return measureFirstStep(preset, precompile);
  },
  async available() {
    return (await selectBackend()).available;
  },
  /** The startup measurement: start one backend, then time steps of a preset on it. */
  start: (backend: BackendName, wasmThreads?: number) => use(backend, wasmThreads),
  firstShaderMs,
  timeSteps(preset: PresetName, batchSize: number, limits: { maxSteps: number; enoughMs: number }, onStep: (ms: number) => void) {
    if (!started) throw new Error('start a backend first');
    return timeSteps(preset, batchSize, limits, shouldPrecompile(started), onStep);
  },
};

export type MeasurementWorkerApi = typeof api;
Comlink.expose(api);
