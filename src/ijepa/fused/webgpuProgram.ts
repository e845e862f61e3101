// How the fused kernels (./webgpu.ts) run on tfjs' WebGPU backend: a program is a plain object that
// the backend compiles (once per shape and uniforms layout) and launches with runWebGPUProgram; tfjs
// writes the shader's preamble (`result` for the output, one read-only array per input, `uniforms`),
// the program writes `main`. Internal tfjs API: safe while tfjs stays pinned at 4.22.0.
import { ERF_A, ERF_P } from './erf';
import { rowsCols, size, type FusedKernelName } from '.';
import * as tf from '../tf';

export const WORKGROUP = 64;

interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  getUserCode(): string;
}

type Uniform = { type: 'int32' | 'float32'; data: number[] };

export interface WebGpuBackendLike {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms: Uniform[]): tf.TensorInfo;
}

export interface Launch {
  name: string; // shader key
  inputs: [string, tf.TensorInfo][]; // WGSL array name, tensor
  outputShape: number[];
  threads: number;
  uniforms: [string, 'i32' | 'f32', number][];
  body: string; // WGSL statements; `index` is the thread's index (tfjs' `localIndex` and `workgroupId` are there too)
  declarations?: string; // module-scope WGSL the body uses (workgroup memory)
}

export const ERF_WGSL = `
  fn erfApprox(v : f32) -> f32 {
    let x = abs(v);
    let t = 1.0 / (1.0 + ${ERF_P} * x);
    return sign(v) * (1.0 - ((((${ERF_A[4]} * t + ${ERF_A[3]}) * t + ${ERF_A[2]}) * t + ${ERF_A[1]}) * t + ${ERF_A[0]}) * t * exp(-x * x));
  }`;

export function launch(backend: WebGpuBackendLike, l: Launch): tf.TensorInfo {
  const program: Program = {
    variableNames: l.inputs.map(([name]) => name),
    outputShape: l.outputShape,
    shaderKey: `ijepa_${l.name}`,
    dispatchLayout: { x: l.outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(l.threads / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms: l.uniforms.map(([name, type]) => `${name} : ${type},`).join(' '),
    getUserCode: () => `${ERF_WGSL}
      ${l.declarations ?? ''}
      fn main(index : i32) {
        ${l.body}
      }`,
  };
  const uniforms = l.uniforms.map(([, type, value]): Uniform => ({ type: type === 'i32' ? 'int32' : 'float32', data: [value] }));
  return backend.runWebGPUProgram(
    program,
    l.inputs.map(([, t]) => t),
    'float32',
    uniforms,
  );
}

type KernelInputs = Record<string, tf.TensorInfo>;

export function register(kernelName: FusedKernelName, describe: (inputs: KernelInputs, attrs: Record<string, number>) => Launch): void {
  tf.registerKernel({
    kernelName,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) =>
      launch(backend as unknown as WebGpuBackendLike, describe(inputs as KernelInputs, attrs as Record<string, number>)),
  });
}

export const elementwise = (name: string, inputs: [string, tf.TensorInfo][], uniforms: Launch['uniforms'], expression: string): Launch => {
  const count = size(inputs[0][1].shape);
  return {
    name,
    inputs,
    outputShape: inputs[0][1].shape,
    threads: count,
    uniforms: [['count', 'i32', count], ...uniforms],
    body: `
      if (index >= uniforms.count) { return; }
      result[index] = ${expression};`,
  };
};

/** One thread per row of `shape` ([rows, cols] over its last axis): the launch's threads, the uniforms
 *  `rows` and `cols` (then `uniforms`), and `body`, which sees `row`, behind the row guard. For kernels
 *  with one output (rowwise) and with several (./webgpuMulti.ts). */
export const perRow = (shape: number[], uniforms: Launch['uniforms'], body: string) => {
  const { rows, cols } = rowsCols(shape);
  return {
    threads: rows,
    uniforms: [['rows', 'i32', rows], ['cols', 'i32', cols], ...uniforms] as Launch['uniforms'],
    body: `
      let row = index;
      if (row >= uniforms.rows) { return; }${body}`,
  };
};

/** A kernel with one thread per row of the first input (see perRow). */
export const rowwise = (
  name: string,
  inputs: [string, tf.TensorInfo][],
  uniforms: Launch['uniforms'],
  body: string,
  outputShape = inputs[0][1].shape,
): Launch => ({ name, inputs, outputShape, ...perRow(inputs[0][1].shape, uniforms, body) });
