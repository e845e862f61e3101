// Registers the tfjs backends in a worker and starts one. Reports the WebGPU adapter (so the page
// can say when it is only a software fallback) and the WASM backend's thread count.
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '../../ijepa/tf';
import { registerFusedKernels } from '../../ijepa/fused/register';
import { startSimdKernels } from '../../ijepa/fused/wasm';
import { describeWebGlRenderer, knownOrDescribedAdapter, type WebGpuAdapter } from './gpuAdapter';
import { BACKEND_ORDER, type BackendInfo, type BackendName } from '../protocol';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});
registerFusedKernels();

/** XNNPACK's thread pool in tfjs' WASM build has at most 8 threads. */
const MAX_WASM_THREADS = 8;
/** Read once: configureWasmThreads changes what this worker's navigator reports. */
export const LOGICAL_CORES = Math.max(1, navigator.hardwareConcurrency || 1);

/** Threads for the WASM backend: every logical core (up to 8) when the page is cross-origin isolated
 *  (SharedArrayBuffer, so tfjs loads its threaded SIMD binary), else 1. */
export function wasmThreadsFor(requested?: number): number {
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) return 1;
  return Math.max(1, Math.min(requested ?? LOGICAL_CORES, LOGICAL_CORES, MAX_WASM_THREADS));
}

/** Must run before the WASM backend starts. tfjs caps its pool at hardwareConcurrency / 2 (it assumes
 *  two hyperthreads per core), which gives a 2-core machine one thread; it reads the value from this
 *  worker's navigator when the module starts, so this worker reports twice the threads we want. */
function configureWasmThreads(threads: number): void {
  setThreadsCount(threads);
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
}

/** The renderer behind the active WebGL backend. */
function webGlRenderer(): WebGpuAdapter {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  return gl ? describeWebGlRenderer(gl) : { adapter: 'WebGL', isSoftware: false };
}

/** The GPU backends' code (~1 MB of the worker's 2.3 MB) is fetched and evaluated only when one is
 *  started: a worker that trains on WASM starts ~0.3 s sooner here (docs/BENCHMARKS.md). Importing a
 *  backend registers it with tfjs. */
const loadBackend: Partial<Record<BackendName, () => Promise<unknown>>> = {
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
};

async function tryBackend(name: BackendName, webgpu: WebGpuAdapter | null): Promise<boolean> {
  if (name === 'webgpu' && !webgpu) return false;
  try {
    await loadBackend[name]?.();
    const ok = await tf.setBackend(name); // false (not an exception) when the backend cannot start
    if (ok) await tf.ready();
    return ok;
  } catch {
    return false;
  }
}

export interface BackendOptions {
  preferred?: BackendName;
  /** Backends already known to start here (the startup measurement tried them): only the chosen one
   *  is started. Without it, every backend is tried, to list what this browser has. */
  available?: BackendName[];
  wasmThreads?: number;
  /** The WebGPU adapter as the page described it at load (undefined: ask the browser now). */
  webgpuAdapter?: WebGpuAdapter | null;
}

/** Starts the preferred backend (or the first of BACKEND_ORDER that starts). */
export async function selectBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const { preferred, available: known } = options;
  configureWasmThreads(wasmThreadsFor(options.wasmThreads));
  const webgpu = await knownOrDescribedAdapter(options.webgpuAdapter, preferred === 'webgpu' || !known);
  const order = preferred ? [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)] : [...BACKEND_ORDER];
  const available: BackendName[] = [];
  let active: BackendName | null = null;
  for (const name of order) {
    if (known && (active || !known.includes(name))) continue;
    if (!(await tryBackend(name, webgpu))) continue;
    available.push(name);
    active ??= name;
  }
  if (!active) throw new Error('No TensorFlow.js backend could start in this browser.');
  await tf.setBackend(active);
  return describeActive(active, webgpu, known ?? available);
}

function describeActive(active: BackendName, webgpu: WebGpuAdapter | null, available: BackendName[]): BackendInfo {
  const gpu = active === 'webgpu' ? webgpu : active === 'webgl' ? webGlRenderer() : null;
  let note = '';
  if (!webgpu)
    note = `WebGPU is not available in this browser: training runs on ${active}, which is much slower. Use a recent Chrome or Edge with WebGPU for GPU speed.`;
  else if (webgpu.isSoftware) note = 'WebGPU runs on a software fallback adapter (no GPU was offered), so it is slow here.';
  return {
    name: active,
    available: BACKEND_ORDER.filter((b) => available.includes(b)),
    adapter: gpu?.adapter ?? 'CPU',
    isSoftware: Boolean(gpu?.isSoftware),
    threads: active === 'wasm' ? getThreadsCount() : null,
    simd: active === 'wasm' ? startSimdKernels() : null,
    note,
  };
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
