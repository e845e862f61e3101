// Compiles every WebGPU shader of the training step before the first real step. tfjs compiles
// a pipeline the first time it meets a (kernel, shape) pair, one after another, inside the first
// step; in WEBGPU_ENGINE_COMPILE_ONLY mode it records the pipelines without running them, so the
// driver compiles them in parallel (docs/TFJS_WEBGPU_NOTES.md, "Speed and memory").
import type { IJepaConfig } from '../../ijepa/config';
import { schedulesAt } from '../../ijepa/schedules';
import * as tf from '../../ijepa/tf';
import { applyUpdate, createTrainer, disposeTrainer, lossAndGrads, nextMasks } from '../../ijepa/trainStep';
import type { BackendInfo } from '../protocol';

/** Precompiling the first step's shaders (compile-only mode, in parallel) is for real GPUs: on a
 *  software adapter it saved nothing reliably (SwiftShader, `npm run bench`: time to first step
 *  micro 11.6 -> 11.9 s and 13.6 -> 12.4 s, tiny 26.9 -> 31.2 s). The benchmark measures it either way. */
export const shouldPrecompile = (backend: BackendInfo) => backend.name === 'webgpu' && !backend.isSoftware;

interface CompilingBackend {
  checkCompileCompletionAsync(): Promise<void>;
}

/** On WebGPU: runs one throwaway step of `config` in compile-only mode (on a separate model,
 *  because in that mode no kernel runs, so any assignment would leave garbage behind) and waits
 *  for the compiled pipelines. Returns the milliseconds spent, or null on other backends. */
export async function precompileStep(config: IJepaConfig, images: tf.Tensor4D): Promise<number | null> {
  if (tf.getBackend() !== 'webgpu') return null;
  const started = performance.now();
  const scratch = createTrainer(config);
  const env = tf.env();
  env.set('WEBGPU_ENGINE_COMPILE_ONLY', true);
  try {
    tf.tidy(() => applyUpdate(scratch, lossAndGrads(scratch.model, images, nextMasks(scratch)).grads, schedulesAt(config, 0))); // the step's body, no readback
    await (tf.backend() as unknown as CompilingBackend).checkCompileCompletionAsync();
  } finally {
    env.set('WEBGPU_ENGINE_COMPILE_ONLY', false);
    disposeTrainer(scratch);
  }
  return performance.now() - started;
}
