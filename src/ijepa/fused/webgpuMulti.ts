// Dispatches that write several tensors, which a tfjs program cannot (it writes one new tensor):
// - the optimizer's updates of many parameters in one dispatch (issue 26): AdamW (both moments and the
//   new values) of three parameters at a time, the target encoder's EMA of four. With the parameters
//   as separate tensors tfjs needs a dispatch per parameter (83 for AdamW and 54 for the moments and
//   the EMA in a `tiny` step). Here the parameters are written where they lie.
// - kernels with two outputs (a LayerNorm's dx with its row statistics; its gamma and beta gradients),
//   registered as tfjs kernels that return both.
// We record our own compute pass entries in tfjs' command encoder (so they run in order with tfjs'
// dispatches). WebGPU allows 8 storage buffers per dispatch (tfjs asks for no more): AdamW binds the
// two flat moment vectors and (parameter, gradient) pairs, the EMA (target, online) pairs.
//
// Writing in place is only right where no other live tensor shares the buffer (tfjs shares a buffer
// between a tensor and its clones, reshapes and `tf.variable(x)`, as the evaluation's snapshot of the
// target encoder does). A shared parameter is first given a copy of its own, so the snapshot keeps its
// values; then the update writes the copy. tfjs' cached CPU copy of what we write is dropped.
// Internal tfjs API (WebGPUBackend's fields), safe while tfjs stays pinned at 4.22.0.
import type { AdamWScalars, AdamWUpdate, ParamUpdates } from '.';
import * as tf from '../tf';
import { WORKGROUP } from './webgpuProgram';

/** What a dispatch of ours needs from tfjs' WebGPU backend. */
interface GpuBackendInternals {
  device: {
    createShaderModule(descriptor: { code: string; label?: string }): unknown;
    createComputePipeline(descriptor: { layout: 'auto'; compute: { module: unknown; entryPoint: string }; label?: string }): Pipeline;
    createBindGroup(descriptor: { layout: unknown; entries: { binding: number; resource: unknown }[] }): unknown;
  };
  tensorMap: { get(dataId: object): { resource: unknown; values: unknown; refCount: number } };
  commandQueueOwnedIds: WeakSet<object>;
  commandEncoder: { beginComputePass(descriptor: object): PassEncoder } | null;
  computePassEncoder: PassEncoder | null;
  dispatchCountInPass: number;
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  makeUniforms(uniforms: { type: 'float32' | 'int32'; data: number[] }[]): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32'): tf.TensorInfo;
}
interface Pipeline {
  getBindGroupLayout(index: number): unknown;
}
interface PassEncoder {
  setPipeline(pipeline: Pipeline): void;
  setBindGroup(index: number, bindGroup: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
}

/** Parameters per AdamW dispatch: 8 storage buffers = the two moment vectors + 3 x (value, gradient). */
export const ADAMW_PER_DISPATCH = 3;
/** Parameters per EMA dispatch: 4 x (target, online). */
export const EMA_PER_DISPATCH = 4;
/** Workgroups per dispatch at most (WebGPU's guaranteed 65,535 per dimension); threads loop beyond. */
const MAX_WORKGROUPS = 65_535;

/** `items` in runs of at most `per` (the last one shorter). */
export function groupsOf<T>(items: T[], per: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += per) groups.push(items.slice(i, i + per));
  return groups;
}

/** Where each of a dispatch's tensors starts in the thread range it shares: [0, a, a + b, ...]. */
export function starts(sizes: number[]): number[] {
  const result = [0];
  for (const n of sizes) result.push(result[result.length - 1] + n);
  return result;
}

// One thread per element of the dispatch's tensors, end to end; tensor j owns [start_j, start_j+1).
// The expressions are those of the CPU and WASM kernels (lerp, adamWParam) and of the plain ops.

/** A shader updating k tensors in place. Its uniforms: total, stride, `uniforms`, then the k + 1
 *  starts (the dispatch's values in that order); its bindings: `bindings` (read-write, from binding 1),
 *  then per tensor j the pair (`written`j read-write, `read`j read-only); `update(j)` for element e. */
function perTensorShader(
  k: number,
  uniforms: string,
  bindings: string[],
  [written, read]: [string, string],
  update: (j: number) => string,
): string {
  const pairAt = 1 + bindings.length;
  return `
  struct Uniforms { total : i32, stride : i32, ${uniforms} ${range(k + 1, (j) => `start${j} : i32,`)} };
  @group(0) @binding(0) var<uniform> u : Uniforms;
  ${bindings.map((name, i) => `@group(0) @binding(${1 + i}) var<storage, read_write> ${name} : array<f32>;`).join('\n')}
  ${range(
    k,
    (j) => `@group(0) @binding(${pairAt + 2 * j}) var<storage, read_write> ${written}${j} : array<f32>;
  @group(0) @binding(${pairAt + 2 * j + 1}) var<storage, read> ${read}${j} : array<f32>;`,
  )}
  @compute @workgroup_size(${WORKGROUP})
  fn main(@builtin(global_invocation_id) id : vec3<u32>) {
    for (var i = i32(id.x); i < u.total; i = i + u.stride) {
      ${range(
        k,
        (j) => `${j > 0 ? 'else ' : ''}if (i < u.start${j + 1}) {
        let e = i - u.start${j};
        ${update(j)}
      }`,
      )}
    }
  }`;
}

export const adamWShader = (k: number) =>
  perTensorShader(
    k,
    `beta1 : f32, beta2 : f32, stepSize : f32, sqrtBc2 : f32, eps : f32, ${range(k, (j) => `offset${j} : i32, decay${j} : f32,`)}`,
    ['M', 'V'],
    ['P', 'G'],
    (j) => `let o = u.offset${j} + e;
        let g = G${j}[e];
        let m = u.beta1 * M[o] + (1.0 - u.beta1) * g;
        let v = u.beta2 * V[o] + (1.0 - u.beta2) * (g * g);
        M[o] = m;
        V[o] = v;
        P${j}[e] = P${j}[e] * u.decay${j} - u.stepSize * m / (sqrt(v) / u.sqrtBc2 + u.eps);`,
  );

export const emaShader = (k: number) =>
  perTensorShader(k, 'keep : f32,', [], ['T', 'O'], (j) => `T${j}[e] = u.keep * T${j}[e] + (1.0 - u.keep) * O${j}[e];`);

const range = (n: number, f: (j: number) => string) => Array.from({ length: n }, (_, j) => f(j)).join('\n');

const pipelines = new WeakMap<object, Map<string, Pipeline>>(); // per device, by shader

function pipeline(gpu: GpuBackendInternals, name: string, code: () => string): Pipeline {
  let byShader = pipelines.get(gpu.device);
  if (!byShader) pipelines.set(gpu.device, (byShader = new Map()));
  let found = byShader.get(name);
  if (!found) {
    const module = gpu.device.createShaderModule({ code: code(), label: `ijepa_${name}` });
    found = gpu.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: `ijepa_${name}` });
    byShader.set(name, found);
  }
  return found;
}

const backendInternals = () => tf.backend() as unknown as GpuBackendInternals;

/** Gives `variable` a buffer of its own where another live tensor shares it (a copy, one tfjs
 *  dispatch), so that writing it in place changes no other tensor. */
function ownBuffer(gpu: GpuBackendInternals, variable: tf.Variable): void {
  if (gpu.tensorMap.get(variable.dataId).refCount === 1) return;
  const copy = variable.mul(1);
  variable.assign(copy);
  copy.dispose(); // the variable is now the copy's only holder
}

type Binding = { tensor: tf.TensorInfo; written: boolean };

/** Records one dispatch of `shader` over `total` threads in tfjs' command encoder, after everything
 *  tfjs recorded before it, with scalar uniforms (f32 or i32, in the struct's order) and `bindings`
 *  from binding 1 on. Drops tfjs' CPU copy of what it writes. */
function dispatch(
  gpu: GpuBackendInternals,
  shader: Pipeline,
  total: number,
  uniforms: [type: 'float32' | 'int32', value: number][],
  bindings: Binding[],
): void {
  const workgroups = Math.min(Math.ceil(total / WORKGROUP), MAX_WORKGROUPS);
  const stride = workgroups * WORKGROUP;
  const resources = bindings.map(({ tensor }) => {
    gpu.uploadToGPU(tensor.dataId);
    return gpu.tensorMap.get(tensor.dataId).resource;
  });
  const uniformBinding = gpu.makeUniforms([
    { type: 'int32', data: [total] },
    { type: 'int32', data: [stride] },
    ...uniforms.map(([type, value]) => ({ type, data: [value] })),
  ]);
  const bindGroup = gpu.device.createBindGroup({
    layout: shader.getBindGroupLayout(0),
    entries: [uniformBinding, ...resources.map((buffer) => ({ buffer }))].map((resource, binding) => ({ binding, resource })),
  });
  for (const { tensor, written } of bindings) {
    gpu.commandQueueOwnedIds.add(tensor.dataId); // tfjs frees no bound buffer before the queue is submitted
    if (written) gpu.tensorMap.get(tensor.dataId).values = null; // its CPU copy, if it was read, is stale now
  }
  gpu.ensureCommandEncoderReady();
  if (!gpu.computePassEncoder) gpu.computePassEncoder = gpu.commandEncoder!.beginComputePass({});
  gpu.computePassEncoder.setPipeline(shader);
  gpu.computePassEncoder.setBindGroup(0, bindGroup);
  gpu.computePassEncoder.dispatchWorkgroups(workgroups);
  gpu.dispatchCountInPass++;
  if (tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') <= gpu.dispatchCountInPass) {
    gpu.endComputePassEncoder();
    gpu.submitQueue();
  }
}

/** In WEBGPU_ENGINE_COMPILE_ONLY mode (the first step's precompilation) tfjs records nothing: nor do we. */
const compileOnly = () => tf.env().getBool('WEBGPU_ENGINE_COMPILE_ONLY');

/** torch's AdamW for every parameter in `updates`, ADAMW_PER_DISPATCH at a time: m and v (the flat
 *  moment vectors) and each parameter written in place. */
export function adamWInPlace(updates: AdamWUpdate[], m: tf.Variable, v: tf.Variable, scalars: AdamWScalars): void {
  const gpu = backendInternals();
  if (!compileOnly()) [m, v].forEach((moments) => ownBuffer(gpu, moments));
  for (const group of groupsOf(updates, ADAMW_PER_DISPATCH)) {
    const shader = pipeline(gpu, `adamw_multi${group.length}`, () => adamWShader(group.length));
    if (compileOnly()) continue;
    group.forEach(({ param }) => ownBuffer(gpu, param));
    const begins = starts(group.map(({ param }) => param.size));
    dispatch(
      gpu,
      shader,
      begins[group.length],
      [
        ['float32', scalars.beta1],
        ['float32', scalars.beta2],
        ['float32', scalars.stepSize],
        ['float32', scalars.sqrtBiasCorrection2],
        ['float32', scalars.eps],
        ...group.flatMap(({ offset, decay }): ['int32' | 'float32', number][] => [
          ['int32', offset],
          ['float32', decay],
        ]),
        ...begins.map((start): ['int32', number] => ['int32', start]),
      ],
      [
        { tensor: m, written: true },
        { tensor: v, written: true },
        ...group.flatMap(({ param, grad }) => [
          { tensor: param, written: true },
          { tensor: grad, written: false },
        ]),
      ],
    );
  }
}

/** target = keep * target + (1 - keep) * online for every pair, EMA_PER_DISPATCH at a time, the
 *  targets written in place. */
export function emaInPlace(pairs: { target: tf.Variable; online: tf.Tensor }[], keep: number): void {
  const gpu = backendInternals();
  for (const group of groupsOf(pairs, EMA_PER_DISPATCH)) {
    const shader = pipeline(gpu, `ema_multi${group.length}`, () => emaShader(group.length));
    if (compileOnly()) continue;
    group.forEach(({ target }) => ownBuffer(gpu, target));
    const begins = starts(group.map(({ target }) => target.size));
    dispatch(
      gpu,
      shader,
      begins[group.length],
      [['float32', keep], ...begins.map((start): ['int32', number] => ['int32', start])],
      group.flatMap(({ target, online }) => [
        { tensor: target, written: true },
        { tensor: online, written: false },
      ]),
    );
  }
}

export const webGpuParamUpdates: ParamUpdates = { adamW: adamWInPlace, ema: emaInPlace };

/** A kernel with several outputs, as WGSL: the body sees `index` (the thread), tfjs-style `uniforms.`
 *  and `localIndex` / `workgroupId`, reads the inputs and writes the outputs by their names. */
export interface MultiOutputLaunch {
  name: string; // the shader's name: the WGSL must not depend on anything else (sizes are uniforms)
  inputs: [string, tf.TensorInfo][];
  outputs: [string, number[]][]; // name, shape
  threads: number; // at most 65,535 workgroups of WORKGROUP: a thread each, no loop
  uniforms: [string, 'i32' | 'f32', number][];
  declarations?: string; // module-scope WGSL (workgroup memory)
  body: string;
}

const multiOutputShader = (l: MultiOutputLaunch) => `
  struct Uniforms { total : i32, stride : i32, ${l.uniforms.map(([name, type]) => `${name} : ${type},`).join(' ')} };
  @group(0) @binding(0) var<uniform> uniforms : Uniforms;
  ${l.inputs.map(([name], i) => `@group(0) @binding(${1 + i}) var<storage, read> ${name} : array<f32>;`).join('\n')}
  ${l.outputs.map(([name], j) => `@group(0) @binding(${1 + l.inputs.length + j}) var<storage, read_write> ${name} : array<f32>;`).join('\n')}
  ${l.declarations ?? ''}
  @compute @workgroup_size(${WORKGROUP})
  fn main(@builtin(global_invocation_id) globalId : vec3<u32>, @builtin(local_invocation_index) localIndex : u32,
          @builtin(workgroup_id) workgroupId : vec3<u32>) {
    let index = i32(globalId.x);
    ${l.body}
  }`;

/** Registers `kernelName` on WebGPU as one dispatch that writes every output of `describe`'s launch. */
export function registerMultiOutput(
  kernelName: string,
  describe: (inputs: Record<string, tf.TensorInfo>, attrs: Record<string, number>) => MultiOutputLaunch,
): void {
  tf.registerKernel({
    kernelName,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const gpu = backend as unknown as GpuBackendInternals;
      const l = describe(inputs as Record<string, tf.TensorInfo>, attrs as Record<string, number>);
      if (Math.ceil(l.threads / WORKGROUP) > MAX_WORKGROUPS)
        throw new Error(`${l.name}: ${l.threads} threads, more than one dispatch holds`);
      const outputs = l.outputs.map(([, shape]) => gpu.makeTensorInfo(shape, 'float32'));
      const shader = pipeline(gpu, l.name, () => multiOutputShader(l));
      if (compileOnly()) return outputs;
      dispatch(
        gpu,
        shader,
        l.threads,
        l.uniforms.map(([, type, value]) => [type === 'i32' ? 'int32' : 'float32', value]),
        [...l.inputs.map(([, tensor]) => ({ tensor, written: false })), ...outputs.map((tensor) => ({ tensor, written: true }))],
      );
      return outputs;
    },
  });
}
