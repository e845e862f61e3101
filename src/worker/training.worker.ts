// The training worker: owns tfjs and the GPU. It only exposes the trainer API module.
import * as Comlink from 'comlink';
import { destroyDevice, deviceLost, LOGICAL_CORES, selectBackend } from './backends/backends';
import { decoderPool } from './dataset/decoderPool';
import { gpuBytes } from './backends/gpuMemory';
import { warmWasmHeap } from './backends/heapWarmer';
import { indexedDbStorage } from './run/persistence';
import { createTrainerApi } from './trainerApi';

const decoders = (count?: number) => decoderPool(count ?? LOGICAL_CORES);
Comlink.expose(
  createTrainerApi({ selectBackend, decoders, gpuBytes, deviceLost, destroyDevice, warmHeap: warmWasmHeap, storage: indexedDbStorage() }),
);
