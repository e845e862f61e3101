// The fused kernels on every backend that has them, registered by one call (the worker's backends,
// the tests' tfjs setup, the benchmarks). Registering for a backend that is not loaded costs nothing:
// tfjs looks kernels up by backend name when it runs one.
import { registerCpuKernels } from './cpu';
import { registerWasmKernels } from './wasm';
import { registerParamUpdates } from '.';
import { registerWebGpuKernels } from './webgpu';
import { webGpuParamUpdates } from './webgpuMulti';

let registered = false;

export function registerFusedKernels(): void {
  if (registered) return;
  registered = true;
  registerCpuKernels(); // first: the WASM kernels fall back to these loops where SIMD cannot start
  registerWasmKernels();
  registerWebGpuKernels();
  registerParamUpdates('webgpu', webGpuParamUpdates);
}
