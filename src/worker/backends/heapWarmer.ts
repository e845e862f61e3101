// Grows the WASM backend's heap to what a run's steps will use and has a second thread write every
// page of the new part, while this worker goes on setting the run up: the first step otherwise pays
// for each fresh page as it first touches it (~2.7 ms a MB on this project's 2-core VM, over a second
// for `tiny`: docs/BENCHMARKS.md). Only where the heap is shared memory (the threaded build, in a
// cross-origin isolated page); elsewhere it does nothing.
import * as tf from '../../ijepa/tf';

interface WasmModule {
  wasmMemory?: WebAssembly.Memory;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

const sharedHeap = (): { wasm: WasmModule; memory: WebAssembly.Memory } | null => {
  if (tf.getBackend() !== 'wasm' || typeof SharedArrayBuffer === 'undefined') return null;
  const wasm = (tf.backend() as unknown as { wasm?: WasmModule }).wasm;
  const memory = wasm?.wasmMemory;
  return wasm && memory && memory.buffer instanceof SharedArrayBuffer ? { wasm, memory } : null;
};

/** The WASM backend's heap size now (null: not the threaded WASM backend). */
export const wasmHeapBytes = (): number | null => sharedHeap()?.memory.buffer.byteLength ?? null;

/** The first step waits no longer than this for the other thread (it then grows the heap itself). */
const WAIT_LIMIT_MS = 5000;

/** Resolves true once the heap is `bytes` large and all of it has been touched; false when there was
 *  nothing to do, it could not be done, or it took longer than WAIT_LIMIT_MS. The new part is held
 *  only while the other thread writes it, and freed for tfjs as soon as that thread is done (never
 *  before: it may still be writing). */
export async function warmWasmHeap(bytes: number): Promise<boolean> {
  const heap = sharedHeap();
  const fresh = heap ? bytes - heap.memory.buffer.byteLength : 0; // what the heap has not grown to yet
  if (!heap || fresh <= 0) return false;
  const pointer = heap.wasm._malloc(fresh);
  if (!pointer) return false;
  const toucher = new Worker(new URL('./pageToucher.worker.ts', import.meta.url), { type: 'module', name: 'ijepa-heap-warmer' });
  return new Promise<boolean>((resolve) => {
    const late = setTimeout(() => resolve(false), WAIT_LIMIT_MS);
    const done = (touched: boolean) => {
      clearTimeout(late);
      toucher.terminate();
      heap.wasm._free(pointer);
      resolve(touched);
    };
    toucher.onmessage = () => done(true);
    toucher.onerror = () => done(false);
    toucher.postMessage({ memory: heap.memory, pointer, bytes: fresh });
  });
}
