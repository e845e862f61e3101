// Measurements of the bare training step (no app around it), for the page's startup measurement and
// the benchmark: time to first step, steady-state ms per step, kernels per step, model FLOP/s against
// the same backend's large-matmul FLOP/s, and tensor/GPU memory at step 10 and step N. Runs in a fresh
// worker per measurement, so shader caches start empty and time to first step means what a person sees.
import { presetConfig, type PresetName } from '../../ijepa/config';
import { browserModel } from '../../ijepa/recipe';
import { stepFlops } from '../../ijepa/flops';
import { fusedKernelsActive, setFusedKernels } from '../../ijepa/fused';
import * as tf from '../../ijepa/tf';
import { createPixelDecoder } from '../../ijepa/pixelDecoder';
import { createTrainer, disposeTrainer, nextMasks, trainStep, type Trainer } from '../../ijepa/trainStep';
import { ImageStore } from '../../data/imageStore';
import { EpochSampler } from '../../data/sampler';
import { generateSampleSet } from '../../data/sampleSet';
import { nextBatch } from '../run/batch';
import { gpuBytes } from '../backends/gpuMemory';
import { precompileStep } from '../backends/precompile';
import type { BackendName } from '../protocol';

export interface BenchOptions {
  preset: PresetName;
  backend: BackendName;
  steps: number; // measured steps after warm-up (N); memory is compared at step 10 and this one
  warmup: number;
  fused: boolean; // the fused kernels (the app's default) or the plain tfjs ops, to compare
  decoder?: boolean; // with the pixel decoder beside the step and its view's blocks read back (issue 25)
  wasmThreads?: number; // WASM only: this many threads (default: every core)
}

export interface KernelTime {
  name: string;
  ms: number;
  count: number;
}

export interface BareStepResult {
  preset: PresetName;
  backend: BackendName;
  adapter: string;
  threads: number | null; // WASM's thread count
  batchSize: number;
  fused: boolean; // false where asked for, or where the backend has no fused kernels
  decoder: boolean; // the pixel decoder beside the step
  firstStepMs: number; // shader compilation included
  medianStepMs: number;
  meanStepMs: number; // what a step costs on average (work done on some steps only, as the decoder's, shows here)
  imagesPerSec: number;
  kernelsPerStep: number; // tfjs kernel calls in one step (tf.profile)
  workKernelsPerStep: number; // the same without the calls that do no work (see NO_WORK_KERNELS)
  dispatchesPerStep: number | null; // GPU programs actually launched (WebGPU / WebGL)
  dispatchesByProgram?: Record<string, number>; // the same by program (tfjs' shader key without shapes)
  topKernels: KernelTime[];
  dataMovementMs: number; // DATA_MOVEMENT_KERNELS' time in the profiled step: kernels that only move data
  modelFlopsPerStep: number;
  achievedFlopsPerSec: number;
  matmulFlopsPerSec: number;
  utilisation: number; // achieved / large matmul
  memory: { step: number; numTensors: number; gpuBytes: number | null }[];
}

/** Kernels that only move data (a SplitV is slices; IJepaTranspose is our WASM transpose). */
export const DATA_MOVEMENT_KERNELS = ['Transpose', 'Slice', 'SplitV', 'IJepaTranspose'];

/** Kernels tf.profile lists that compute nothing: Reshape and Identity only relabel a buffer (tfjs
 *  clones every tensor it saves for the backward pass), and a custom op's `name__op` entry wraps
 *  kernels that are listed on their own. */
export const isNoWorkKernel = (name: string) => name === 'Reshape' || name === 'Identity' || name.endsWith('__op');

type ProgramRunner = Record<string, (...args: unknown[]) => unknown>;

/** GPU programs launched while something ran: how many, and how many of each program. */
export interface DispatchCount {
  total: number;
  byProgram: Record<string, number>;
}

/** A tfjs WebGPU program's key without the shapes and types tfjs appends ("binary_add_64,1,1..." -> "binary_add"). */
export const programName = (shaderKey: string) => shaderKey.replace(/_\d+,\d+,\d+.*$/, '');

/** The name our own multi-tensor dispatches (src/ijepa/fused/webgpuMulti.ts) are counted under. */
const OWN_DISPATCH = 'ijepa multi-tensor';

/** Counts the GPU programs a backend launches while `fn` runs (null where there are none). On WebGPU
 *  every dispatch is counted where it is recorded, `dispatchWorkgroups`, so that our own
 *  multi-tensor updates, which tfjs does not launch, count too; tfjs' launches name their program. */
async function countDispatches(fn: () => Promise<void>): Promise<DispatchCount | null> {
  const backend = tf.backend() as unknown as ProgramRunner;
  const method = tf.getBackend() === 'webgpu' ? 'recordAndSubmit' : tf.getBackend() === 'webgl' ? 'runWebGLProgram' : null;
  if (!method || typeof backend[method] !== 'function') {
    await fn();
    return null;
  }
  const count: DispatchCount = { total: 0, byProgram: {} };
  const counted = (name: string) => {
    count.total++;
    count.byProgram[name] = (count.byProgram[name] ?? 0) + 1;
  };
  let launching: string | null = null; // the tfjs program being recorded, while it is
  const original = backend[method];
  backend[method] = function launch(this: unknown, ...args: unknown[]) {
    const name = programName(String((args[0] as { shaderKey?: string } | undefined)?.shaderKey ?? 'webgl'));
    if (method === 'runWebGLProgram') counted(name);
    launching = name;
    try {
      return original.apply(this, args);
    } finally {
      launching = null;
    }
  };
  const encoder =
    method === 'recordAndSubmit'
      ? (globalThis as unknown as { GPUComputePassEncoder?: { prototype: ProgramRunner } }).GPUComputePassEncoder
      : undefined;
  const dispatch = encoder?.prototype.dispatchWorkgroups;
  if (encoder && dispatch) {
    encoder.prototype.dispatchWorkgroups = function dispatched(this: unknown, ...args: unknown[]) {
      counted(launching ?? OWN_DISPATCH);
      return dispatch.apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    backend[method] = original;
    if (encoder && dispatch) encoder.prototype.dispatchWorkgroups = dispatch;
  }
  return count;
}

/** FLOP/s of a large square matMul on this backend: the most this backend delivers through tfjs. */
export async function matmulFlopsPerSec(size = tf.getBackend() === 'cpu' ? 256 : 1024, repeats = 4): Promise<number> {
  const a = tf.randomNormal([size, size]);
  const b = tf.randomNormal([size, size]);
  const run = async (times: number) => {
    const outs = Array.from({ length: times }, () => tf.matMul(a, b));
    await outs[outs.length - 1].data(); // one readback: the queue has drained
    tf.dispose(outs);
  };
  await run(1); // compile and warm up
  const started = performance.now();
  await run(repeats);
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([a, b]);
  return (2 * size ** 3 * repeats) / seconds;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

/** The bare loop: masks, a batch of sample images assembled as in the app, the step. Nothing else. */
function bareLoop(trainer: Trainer) {
  const { config } = trainer;
  const images = 2 * config.batchSize; // two batches of the built-in sample set
  const store = new ImageStore(config.cropSize, images);
  for (const { rgb, label } of generateSampleSet(config.cropSize, Math.ceil(images / 6))) if (store.count < images) store.add(rgb, label);
  const all = Array.from({ length: store.count }, (_, i) => i);
  const sampler = new EpochSampler(config.seed, all.length);
  const batch = () => nextBatch(trainer, store, all, sampler).images;
  return {
    batch,
    async step(): Promise<void> {
      const masks = nextMasks(trainer);
      const input = batch();
      // with a decoder, the shown image's blocks come back as the page reads them for its views
      await trainStep(trainer, input, masks, trainer.decoder ? 0 : undefined).finally(() => input.dispose());
    },
  };
}

export interface FirstStep {
  precompileMs: number | null; // WEBGPU_ENGINE_COMPILE_ONLY pass (WebGPU only)
  firstStepMs: number; // the first real step (shader compilation included unless precompiled)
  timeToFirstStepMs: number; // both: what a person waits after pressing Train
}

async function firstStep(trainer: Trainer, loop: ReturnType<typeof bareLoop>, precompile: boolean): Promise<FirstStep> {
  let precompileMs: number | null = null;
  if (precompile) {
    const images = loop.batch();
    precompileMs = await precompileStep(trainer.config, images);
    images.dispose();
  }
  const started = performance.now();
  await loop.step();
  const firstStepMs = performance.now() - started;
  return { precompileMs, firstStepMs, timeToFirstStepMs: (precompileMs ?? 0) + firstStepMs };
}

/** Time to the first step only (in a fresh worker: nothing compiled yet). */
export async function measureFirstStep(preset: PresetName, precompile: boolean): Promise<FirstStep> {
  const trainer = createTrainer(presetConfig(preset));
  try {
    return await firstStep(trainer, bareLoop(trainer), precompile);
  } finally {
    disposeTrainer(trainer);
  }
}

/** Milliseconds to compile and run one shader: a matMul of the micro model's MLP shape, on data
 *  uploaded as is (no other kernel runs before it). A GPU backend compiles some 80 of these before its
 *  first step; on a software adapter one already takes a good fraction of a second. */
export async function firstShaderMs(): Promise<number> {
  const { batchSize, embedDim, mlpRatio, cropSize, patchSize } = presetConfig('micro');
  const rows = batchSize * (cropSize / patchSize) ** 2;
  const a = tf.tensor2d(new Float32Array(rows * embedDim).fill(0.5), [rows, embedDim]);
  const b = tf.tensor2d(new Float32Array(embedDim * embedDim * mlpRatio).fill(0.25), [embedDim, embedDim * mlpRatio]);
  const started = performance.now();
  const c = tf.matMul(a, b);
  await c.data();
  const ms = performance.now() - started;
  tf.dispose([a, b, c]);
  return ms;
}

/** The startup measurement's workload (./backendChoice.ts): a fresh run of the model the page's default
 *  recipe trains from `preset` (`browserModel`: what the run will be planned with) at `batchSize`, its
 *  first step (shader compilation included), then more steps until `maxSteps` or until the steps after
 *  the first add up to `enoughMs`. Each step's milliseconds are reported as it lands, so a caller that
 *  stops this worker at a deadline keeps what was measured. */
export async function timeSteps(
  preset: PresetName,
  batchSize: number,
  limits: { maxSteps: number; enoughMs: number },
  precompile: boolean,
  onStep: (ms: number) => void,
): Promise<void> {
  const trainer = createTrainer(browserModel(presetConfig(preset, { batchSize })));
  const loop = bareLoop(trainer);
  try {
    onStep((await firstStep(trainer, loop, precompile)).timeToFirstStepMs);
    let timedMs = 0;
    while (trainer.step < limits.maxSteps && timedMs < limits.enoughMs) {
      const started = performance.now();
      await loop.step();
      const ms = performance.now() - started;
      timedMs += ms;
      onStep(ms);
    }
  } finally {
    disposeTrainer(trainer);
  }
}

/** Everything but the app overhead, for one preset on the active backend (without precompiling,
 *  so that `firstStep` is the unaided time to first step). */
export async function benchmarkBareStep(
  options: BenchOptions,
  backend: { adapter: string; threads: number | null },
): Promise<BareStepResult> {
  setFusedKernels(options.fused);
  const config = presetConfig(options.preset);
  const trainer = createTrainer(config);
  if (options.decoder) trainer.decoder = createPixelDecoder(config);
  const loop = bareLoop(trainer);
  try {
    const first = await firstStep(trainer, loop, false);
    const memory: BareStepResult['memory'] = [];
    const stepTimes: number[] = [];
    const lastStep = Math.max(1 + options.warmup + options.steps, 10); // memory is compared at step 10 and here
    while (trainer.step < lastStep) {
      const started = performance.now();
      await loop.step();
      if (trainer.step > options.warmup + 1) stepTimes.push(performance.now() - started);
      if (trainer.step === 10 || trainer.step === lastStep)
        memory.push({ step: trainer.step, numTensors: tf.memory().numTensors, gpuBytes: gpuBytes() });
    }
    const medianStepMs = median(stepTimes);

    let kernels: { name: string; kernelTimeMs: number | { error: string } }[] = [];
    const dispatches = await countDispatches(async () => {
      const profile = await tf.profile(async () => loop.step());
      kernels = profile.kernels as typeof kernels;
    });
    const byName = new Map<string, KernelTime>();
    for (const k of kernels) {
      const entry = byName.get(k.name) ?? { name: k.name, ms: 0, count: 0 };
      entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      entry.count++;
      byName.set(k.name, entry);
    }
    const topKernels = [...byName.values()]
      .filter((k) => !isNoWorkKernel(k.name))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10);

    const modelFlopsPerStep = stepFlops(config, trainer.plan).total;
    const achievedFlopsPerSec = modelFlopsPerStep / (medianStepMs / 1000);
    const matmul = await matmulFlopsPerSec();
    return {
      preset: options.preset,
      backend: options.backend,
      adapter: backend.adapter,
      threads: backend.threads,
      batchSize: config.batchSize,
      fused: fusedKernelsActive(),
      decoder: Boolean(options.decoder),
      firstStepMs: first.firstStepMs,
      medianStepMs,
      meanStepMs: stepTimes.reduce((a, b) => a + b, 0) / stepTimes.length,
      imagesPerSec: (config.batchSize * 1000) / medianStepMs,
      kernelsPerStep: kernels.length,
      workKernelsPerStep: kernels.filter((k) => !isNoWorkKernel(k.name)).length,
      dispatchesPerStep: dispatches?.total ?? null,
      dispatchesByProgram: dispatches?.byProgram,
      topKernels,
      dataMovementMs: DATA_MOVEMENT_KERNELS.reduce((sum, name) => sum + (byName.get(name)?.ms ?? 0), 0),
      modelFlopsPerStep,
      achievedFlopsPerSec,
      matmulFlopsPerSec: matmul,
      utilisation: achievedFlopsPerSec / matmul,
      memory,
    };
  } finally {
    disposeTrainer(trainer);
    setFusedKernels(true);
  }
}
