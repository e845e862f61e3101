// The fused kernels against the plain tfjs ops they replace (CPU backend, and WASM's SIMD kernels;
// the WebGPU kernels are checked the same way in the browser, e2e/kernels.spec.ts).
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { fusedActive, fusedKernelsActive, setFusedKernels } from '.';
import { fusedKernelErrors } from '../kernelCheck';
import * as tf from '../tf';

afterEach(() => setFusedKernels(true));

describe('fused kernels', () => {
  it('are registered for the CPU backend, so the unit tests run the fused step', () => {
    expect(fusedKernelsActive()).toBe(true);
    setFusedKernels(false);
    expect(fusedKernelsActive()).toBe(false);
  });

  it('match the plain ops: forward and gradients, and the weights after two training steps', async () => {
    const errors = await fusedKernelErrors();
    console.log(`[fused vs plain, CPU] max error (relative for the ops): ${JSON.stringify(errors)}`);
    expect(errors.active).toBe(true);
    expect(errors.groups).toContain('attention');
    expect(errors.layerNorm).toBeLessThan(1e-5);
    expect(errors.addLayerNorm).toBeLessThan(1e-5);
    expect(errors.addLayerNorm).toBeLessThan(1e-5);
    expect(errors.gelu).toBeLessThan(1e-5);
    expect(errors.attention).toBeLessThan(1e-5);
    expect(errors.linear).toBeLessThan(1e-5);
    expect(errors.loss).toBeLessThan(1e-5);
    expect(errors.trainingStep).toBeLessThan(1e-6);
    expect(errors.paramUpdatesInPlace).toBe(false); // WebGPU's (./webgpuMulti.ts), checked by e2e/kernels.spec.ts
    expect(errors.snapshotChange).toBe(0);
  }, 60_000);

  it("match the plain ops on WASM (SIMD LayerNorm, GELU, lerp, batched matMul, the linear layers' parameter gradients, row copies)", async () => {
    await tf.setBackend('wasm');
    try {
      expect((['layerNorm', 'gelu', 'optimizer', 'batchMatMul', 'linearGrad'] as const).map(fusedActive)).toEqual([
        true,
        true,
        true,
        true,
        true,
      ]);
      expect(fusedActive('attention')).toBe(false); // WASM runs attention through its SIMD batched matMuls (./wasm.ts)
      const errors = await fusedKernelErrors();
      console.log(`[fused vs plain, WASM] max error (relative for the ops): ${JSON.stringify(errors)}`);
      expect(errors.layerNorm).toBeLessThan(1e-5);
      expect(errors.addLayerNorm).toBeLessThan(1e-5);
      expect(errors.addLayerNorm).toBeLessThan(1e-5);
      expect(errors.gelu).toBeLessThan(1e-5);
      expect(errors.attention).toBeLessThan(1e-5);
      expect(errors.linear).toBeLessThan(1e-5);
      expect(errors.loss).toBeLessThan(1e-5);
      expect(errors.trainingStep).toBeLessThan(1e-6);
    } finally {
      await tf.setBackend('cpu');
    }
  }, 60_000);
});
