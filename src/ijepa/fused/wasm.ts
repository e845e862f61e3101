// Fused kernels (./index.ts) for tfjs' WASM backend in WebAssembly SIMD, compiled from ./simd
// (AssemblyScript) and instantiated on tfjs' own memory, so that they read their inputs and write
// their outputs where those live (no copies). Attention's batched matMul: tfjs runs every batched or
// transposed matMul on WASM as a scalar loop, ~2 GFLOP/s, and this does 10-25 on one thread. LayerNorm,
// GELU (each with its gradients), the optimizer's lerp and AdamW's write of each parameter: one pass
// instead of a chain of small kernels, and ~20x the JavaScript loops of ./cpu.ts. A linear layer's
// parameter gradients without transposes, and whole-row copies where tfjs' GatherV2 and Tile copy value
// by value. Softmax stays tfjs' own. Where the module cannot start (an unexpected tfjs memory), the
// same kernels run tfjs' own or the JavaScript loops, and compute the same.
import { shared, unshared } from 'virtual:simd-kernels';
import { FUSED_KERNELS, lastTwoSwapped, rowsCols, size, type FusedKernelName } from '.';
import { jsKernel } from './cpu';
import * as tf from '../tf';

interface SimdKernels {
  matMulRows(a: number, b: number, out: number, batch: number, m: number, n: number, k: number, aStrideI: number, aStrideK: number): void;
  matMulDots(a: number, b: number, out: number, batch: number, m: number, n: number, k: number): void;
  layerNorm(x: number, gamma: number, beta: number, out: number, rows: number, cols: number, eps: number): void;
  layerNormStats(x: number, out: number, rows: number, cols: number, eps: number): void;
  layerNormGradX(x: number, gamma: number, dy: number, stats: number, out: number, rows: number, cols: number): void;
  layerNormGradParam(x: number, dy: number, stats: number, out: number, rows: number, cols: number, which: number): void;
  lerp(a: number, b: number, out: number, size: number, keep: number, square: number): void;
  adamWParam(
    param: number,
    m: number,
    v: number,
    out: number,
    size: number,
    decay: number,
    stepSize: number,
    sqrtBc2: number,
    eps: number,
  ): void;
  gelu(x: number, out: number, size: number): void;
  geluGrad(x: number, dy: number, out: number, size: number): void;
  transpose(x: number, out: number, batch: number, rows: number, cols: number): void;
  matMulTN(x: number, g: number, out: number, rows: number, m: number, n: number): void;
  sumRows(g: number, out: number, rows: number, n: number): void;
  gatherRows(x: number, rows: number, out: number, count: number, cols: number): void;
  tileRows(x: number, out: number, size: number, times: number): void;
}

interface WasmBackend {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** The kernels on this backend's memory (threaded build: Module.wasmMemory, shared; else the module's
 *  exported memory), or null where they cannot start. Instantiated once per backend. */
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
    console.warn(`SIMD kernels unavailable, using tfjs' and JavaScript ones: ${error instanceof Error ? error.message : error}`);
  }
  instances.set(backend, kernels);
  return kernels;
}

/** Starts the kernels on the active WASM backend; false where they cannot (its own kernels run). */
export const startSimdKernels = () => kernelsFor(tf.backend() as unknown as WasmBackend) !== null;

type Run = (
  kernels: SimdKernels,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, number>,
  output: (shape: number[]) => number, // allocates the output, returns its address
  at: (t: tf.TensorInfo) => number, // a tensor's address
) => void;

/** Registers a SIMD kernel for WASM; `fallback` runs where the module cannot start. */
function register(kernelName: FusedKernelName, run: Run, fallback: tf.KernelFunc = jsKernel(kernelName, 'wasm')): void {
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const wasm = args.backend as unknown as WasmBackend;
      const kernels = kernelsFor(wasm);
      if (!kernels) return fallback(args);
      const at = (t: tf.TensorInfo) => wasm.dataIdMap.get(t.dataId).memoryOffset;
      let out: tf.TensorInfo | undefined;
      const output = (shape: number[]) => at((out = wasm.makeOutput(shape, 'float32')));
      run(kernels, args.inputs as Record<string, tf.TensorInfo>, (args.attrs ?? {}) as Record<string, number>, output, at);
      return out!;
    },
  });
}

/** The fused kernels as SIMD calls on the WASM backend, each with its loop as the fallback.
 *  Called once, by ./register.ts. */
export function registerWasmKernels(): void {
  register(
    FUSED_KERNELS.batchMatMul,
    (kernels, { a, b }, { transposeA, transposeB }, output, at) => {
      const [batch, rowsA, colsA] = a.shape;
      const [m, k] = transposeA ? [colsA, rowsA] : [rowsA, colsA];
      const n = transposeB ? b.shape[1] : b.shape[2];
      const out = output([batch, m, n]);
      if (transposeB)
        kernels.matMulDots(at(a), at(b), out, batch, m, n, k); // a is never transposed as well
      else kernels.matMulRows(at(a), at(b), out, batch, m, n, k, transposeA ? 1 : k, transposeA ? m : 1);
    },
    ({ inputs, backend, attrs }) =>
      tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc({
        inputs,
        backend,
        attrs: { transposeA: Boolean(attrs?.transposeA), transposeB: Boolean(attrs?.transposeB) },
      }) as tf.TensorInfo,
  );

  register(FUSED_KERNELS.layerNorm, (kernels, { x, gamma, beta }, { eps }, output, at) => {
    const { rows, cols } = rowsCols(x.shape);
    kernels.layerNorm(at(x), at(gamma), at(beta), output(x.shape), rows, cols, eps);
  });

  register(FUSED_KERNELS.layerNormStats, (kernels, { x }, { eps }, output, at) => {
    const { rows, cols } = rowsCols(x.shape);
    kernels.layerNormStats(at(x), output([rows, 2]), rows, cols, eps);
  });

  register(FUSED_KERNELS.layerNormGradX, (kernels, { x, gamma, dy, stats }, _, output, at) => {
    const { rows, cols } = rowsCols(x.shape);
    kernels.layerNormGradX(at(x), at(gamma), at(dy), at(stats), output(x.shape), rows, cols);
  });

  register(FUSED_KERNELS.layerNormGradParam, (kernels, { x, dy, stats }, { which }, output, at) => {
    const { rows, cols } = rowsCols(x.shape);
    kernels.layerNormGradParam(at(x), at(dy), at(stats), output([cols]), rows, cols, which);
  });

  register(FUSED_KERNELS.gelu, (kernels, { x }, _, output, at) => {
    kernels.gelu(at(x), output(x.shape), size(x.shape));
  });

  register(FUSED_KERNELS.geluGrad, (kernels, { x, dy }, _, output, at) => {
    kernels.geluGrad(at(x), at(dy), output(x.shape), size(x.shape));
  });

  register(FUSED_KERNELS.lerp, (kernels, { a, b }, { keep, square }, output, at) => {
    kernels.lerp(at(a), at(b), output(a.shape), size(a.shape), keep, square);
  });

  register(FUSED_KERNELS.adamWParam, (kernels, { param, m, v }, { offset, decay, stepSize, sqrtBiasCorrection2, eps }, output, at) => {
    const count = size(param.shape);
    kernels.adamWParam(
      at(param),
      at(m) + offset * 4,
      at(v) + offset * 4,
      output(param.shape),
      count,
      decay,
      stepSize,
      sqrtBiasCorrection2,
      eps,
    );
  });

  register(FUSED_KERNELS.matMulTN, (kernels, { x, g }, _, output, at) => {
    const [rows, m] = x.shape;
    const n = g.shape[1];
    kernels.matMulTN(at(x), at(g), output([m, n]), rows, m, n);
  });

  register(FUSED_KERNELS.sumRows, (kernels, { g }, _, output, at) => {
    const [rows, n] = g.shape;
    kernels.sumRows(at(g), output([n]), rows, n);
  });

  register(
    FUSED_KERNELS.gatherRows,
    (kernels, { x, rows }, _, output, at) => {
      const [count, cols] = [rows.shape[0], x.shape[1]];
      kernels.gatherRows(at(x), at(rows), output([count, cols]), count, cols);
    },
    ({ inputs, backend }) =>
      tf
        .getKernel('GatherV2', 'wasm')!
        .kernelFunc({ inputs: { x: inputs.x, indices: inputs.rows }, backend, attrs: { axis: 0, batchDims: 0 } }) as tf.TensorInfo,
  );

  register(
    FUSED_KERNELS.tileRows,
    (kernels, { x }, { times }, output, at) => {
      kernels.tileRows(at(x), output([times * x.shape[0], ...x.shape.slice(1)]), size(x.shape), times);
    },
    ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const reps = [attrs!.times as number, ...x.shape.slice(1).map(() => 1)];
      return tf.getKernel('Tile', 'wasm')!.kernelFunc({ inputs: { x }, backend, attrs: { reps } }) as tf.TensorInfo;
    },
  );

  register(
    FUSED_KERNELS.transpose,
    (kernels, { x }, _, output, at) => {
      const [rows, cols] = x.shape.slice(-2);
      kernels.transpose(at(x), output([...x.shape.slice(0, -2), cols, rows]), size(x.shape) / (rows * cols), rows, cols);
    },
    ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      return tf
        .getKernel('Transpose', 'wasm')!
        .kernelFunc({ inputs: { x }, backend, attrs: { perm: lastTwoSwapped(x.shape.length) } }) as tf.TensorInfo;
    },
  );
}
