// A throwaway worker for one benchmark measurement: a fresh tfjs, GPU device and shader cache.
import * as Comlink from 'comlink';
import { selectBackend } from './backends';
import type { PresetName } from '../ijepa/config';
import { benchmarkBareStep, measureFirstStep, type BenchOptions } from './benchmark';
import type { BackendName } from './protocol';

async function use(backend: BackendName) {
  const info = await selectBackend(backend);
  if (info.name !== backend) throw new Error(`${backend} is not available in this browser`);
  return info;
}

const api = {
  async run(options: BenchOptions) {
    return benchmarkBareStep(options, (await use(options.backend)).adapter);
  },
  async firstStep(preset: PresetName, backend: BackendName, precompile: boolean) {
    await use(backend);
    return measureFirstStep(preset, precompile);
  },
  async available() {
    return (await selectBackend()).available;
  },
};

export type BenchWorkerApi = typeof api;
Comlink.expose(api);
