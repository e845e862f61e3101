// Runs a test file on tfjs' WASM backend with the page's SIMD kernels (registered by the setup), as
// the page trains without a GPU: several times faster than the CPU backend for files that train or
// embed many images, and the same engine code (the fused kernels are checked against the plain ops).
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll } from 'vitest';
import * as tf from '../ijepa/tf';

export function onWasmBackend(): void {
  beforeAll(() => tf.setBackend('wasm'));
  afterAll(() => tf.setBackend('cpu'));
}
