// The worker's side of the page's startup measurement (../../client/backendChoice.ts): start one
// backend, time one shader, time steps of a preset's default run. Offered by the throwaway measurement
// worker and by the training worker alike: the page measures its likely winner in the training worker
// itself, which then trains with that backend started, its memory already grown to a step's needs and
// (on a GPU) the step's shaders compiled.
import type { PresetName } from '../../ijepa/config';
import type { BackendOptions } from '../backends/backends';
import { shouldPrecompile } from '../backends/precompile';
import type { BackendInfo, BackendName } from '../protocol';
import { wasmHeapBytes } from '../backends/heapWarmer';
import { firstShaderMs, timeSteps } from './bareStep';

export function createProbe(selectBackend: (options: BackendOptions) => Promise<BackendInfo>) {
  let started: BackendInfo | null = null;
  return {
    /** Starts `backend` alone (an error when this browser cannot). */
    async start(backend: BackendName, wasmThreads?: number): Promise<BackendInfo> {
      const info = await selectBackend({ preferred: backend, available: [backend], wasmThreads });
      if (info.name !== backend) throw new Error(`${backend} is not available in this browser`);
      started = info;
      return info;
    },
    firstShaderMs,
    heapBytes: wasmHeapBytes,
    timeSteps(preset: PresetName, batchSize: number, limits: { maxSteps: number; enoughMs: number }, onStep: (ms: number) => void) {
      if (!started) throw new Error('start a backend first');
      return timeSteps(preset, batchSize, limits, shouldPrecompile(started), onStep);
    },
  };
}

export type Probe = ReturnType<typeof createProbe>;
