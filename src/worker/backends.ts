// Registers the tfjs backends in the worker and picks one: WebGPU first, then WebGL, WASM, CPU.
// Reports the WebGPU adapter so the page can say when it is only a software fallback.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import '../ijepa/fusedCpu';
import * as tf from '../ijepa/tf';
import './webgpuKernels';
import { BACKEND_ORDER, type BackendInfo, type BackendName } from './protocol';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

async function describeWebGpuAdapter(): Promise<{ adapter: string; isSoftware: boolean } | null> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const isSoftware = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.description} ${info.device}`);
  const name = [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || info.description || 'unknown adapter';
  return { adapter: isSoftware ? `${name} (software)` : name, isSoftware };
}

/** Tries backends in order (the preferred one first); returns what is active and what exists. */
export async function selectBackend(preferred?: BackendName): Promise<BackendInfo> {
  const webgpu = await describeWebGpuAdapter();
  const order = preferred ? [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)] : [...BACKEND_ORDER];
  const available: BackendName[] = [];
  let active: BackendName | null = null;
  for (const name of order) {
    if (name === 'webgpu' && !webgpu) continue;
    let ok = false;
    try {
      ok = await tf.setBackend(name); // false (not an exception) when the backend cannot start
      if (ok) await tf.ready();
    } catch {
      ok = false;
    }
    if (ok) {
      available.push(name);
      if (!active) active = name;
    }
  }
  if (!active) throw new Error('No TensorFlow.js backend could start in this browser.');
  await tf.setBackend(active);
  const sorted = BACKEND_ORDER.filter((b) => available.includes(b));
  let note = '';
  if (!webgpu) note = 'WebGPU is not available in this browser: training runs on ' + active + ', which is much slower. Use a recent Chrome or Edge with WebGPU for GPU speed.';
  else if (webgpu.isSoftware) note = 'WebGPU runs on a software fallback adapter (no GPU was offered), so training is slow.';
  const adapter = active === 'webgpu' && webgpu ? webgpu.adapter : active === 'cpu' || active === 'wasm' ? 'CPU' : 'WebGL';
  return { name: active, available: sorted, adapter, isSoftware: active === 'webgpu' && Boolean(webgpu?.isSoftware), note };
}

function webGpuDevice(): { lost?: Promise<{ reason: string; message: string }>; destroy?(): void } | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  return (tf.backend() as unknown as { device?: ReturnType<typeof webGpuDevice> }).device;
}

/** Test hook: destroys the WebGPU device, as a driver reset or a GPU unplug would. */
export function destroyDevice(): void {
  webGpuDevice()?.destroy?.();
}

/** Resolves when the WebGPU device is lost (null on other backends). */
export function deviceLost(): Promise<string> | null {
  return webGpuDevice()?.lost?.then((info) => `${info.reason || 'unknown'}: ${info.message || 'no details'}`) ?? null;
}
