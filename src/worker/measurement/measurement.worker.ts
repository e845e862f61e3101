// A throwaway worker for one measurement of the bare step, for the page's startup measurement
// (src/client/backendChoice.ts) and the `?bench` page mode (src/bench): a fresh tfjs, GPU device and shader cache.
import * as Comlink from 'comlink';
import { selectBackend } from '../backends/backends';
import type { PresetName } from '../../ijepa/config';
import { benchmarkBareStep, measureFirstStep, type BenchOptions } from './bareStep';
import type { BackendName } from '../protocol';
import { createProbe } from './probe';

/** The startup measurement: start one backend, then time steps of a preset on it. */
const probe = Comlink.proxy(createProbe(selectBackend)); // called through the page's Remote as an object of its own

const api = {
  async run(options: BenchOptions) {
    return benchmarkBareStep(options, await probe.start(options.backend, options.wasmThreads));
  },
  async firstStep(preset: PresetName, backend: BackendName, precompile: boolean) {
    await probe.start(backend);
    return measureFirstStep(preset, precompile);
  },
  async available() {
    return (await selectBackend()).available;
  },
  probe,
};

export type MeasurementWorkerApi = typeof api;
Comlink.expose(api);
