// Attention's batched matMul (./index.ts batchMatMul) for tfjs' WASM backend: WebAssembly SIMD compiled
// from ./simd/matMul.ts, instantiated on tfjs' own memory so that it reads the inputs and writes the
// output where they live (no copies). tfjs runs a batched or transposed matMul on WASM as a scalar
// loop, ~2 GFLOP/s; this kernel does 10-25 GFLOP/s on one thread (bench/results/). Where the module
// cannot start (an unexpected tfjs memory), the kernel hands the work to tfjs' own BatchMatMul.
import { shared, unshared } from 'virtual:simd-kernels';
import { FUSED_KERNELS } from '.';
import * as tf from '../tf';

interface SimdKernels {
  matMulRows(a: number, b: number, out: number, batch: number, m: number, n: number, k: number, aStrideI: number, aStrideK: number): void;
  matMulDots(a: number, b: number, out: number, batch: number, m: number, n: number, k: number): void;
}

interface WasmBackend {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** The kernels on this backend's memory (threaded build: Module.wasmMemory, shared; else the
 *  module's exported memory), or null where they cannot start. Instantiated once per backend. */
const instances = new WeakMap<object, SimdKernels | null>();
function kernelsFor(backend: WasmBackend): SimdKernels | null {
  if (instances.has(backend)) return instances.get(backend)!;
  let kernels: SimdKernels | null = null;
  try {
    const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
    if (!memory) throw new Error("no memory found on tfjs' WASM module");
    const isShared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(bytesOf(isShared ? shared : unshared));
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  } catch (error) {
    console.warn(`SIMD matMul unavailable, using tfjs' BatchMatMul: ${error instanceof Error ? error.message : error}`);
  }
  instances.set(backend, kernels);
  return kernels;
}

tf.registerKernel({
  kernelName: FUSED_KERNELS.batchMatMul,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const transposeA = Boolean(attrs?.transposeA);
    const transposeB = Boolean(attrs?.transposeB);
    const wasm = backend as unknown as WasmBackend;
    const kernels = kernelsFor(wasm);
    if (!kernels) {
      const kernel = tf.getKernel('BatchMatMul', 'wasm')!;
      return kernel.kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } }) as tf.TensorInfo;
    }
    const [batch, rowsA, colsA] = a.shape;
    const [m, k] = transposeA ? [colsA, rowsA] : [rowsA, colsA];
    const n = transposeB ? b.shape[1] : b.shape[2];
    const out = wasm.makeOutput([batch, m, n], 'float32');
    const at = (t: tf.TensorInfo) => wasm.dataIdMap.get(t.dataId).memoryOffset;
    if (transposeB)
      kernels.matMulDots(at(a), at(b), at(out), batch, m, n, k); // a never transposed here
    else kernels.matMulRows(at(a), at(b), at(out), batch, m, n, k, transposeA ? 1 : k, transposeA ? m : 1);
    return out;
  },
});
