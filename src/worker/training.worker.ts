// The training worker: owns tfjs and the GPU. It only exposes the trainer API module.
import * as Comlink from 'comlink';
import { decodeImage } from '../data/decode';
import { destroyDevice, deviceLost, selectBackend } from './backends';
import { gpuBytes } from './gpuMemory';
import { indexedDbStorage } from './persistence';
import { createTrainerApi } from './trainerApi';

Comlink.expose(createTrainerApi({ selectBackend, decode: decodeImage, gpuBytes, deviceLost, destroyDevice, storage: indexedDbStorage() }));
