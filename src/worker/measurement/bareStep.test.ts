import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../ijepa/config';
import { stepFlops } from '../../ijepa/flops';
import { planMasks } from '../../ijepa/masks';
import { benchmarkBareStep, isNoWorkKernel, matmulFlopsPerSec, measureFirstStep } from './bareStep';

describe('bare-step benchmark (CPU backend)', () => {
  it('measures a micro step: times, kernels, FLOPs, and flat memory from step 10 to step N', async () => {
    const result = await benchmarkBareStep(
      { preset: 'micro', backend: 'cpu', steps: 12, warmup: 1, fused: true },
      { adapter: 'CPU', threads: null },
    );
    expect(result.medianStepMs).toBeGreaterThan(0);
    expect(result.imagesPerSec).toBeCloseTo((8 * 1000) / result.medianStepMs, 6);
    expect(result.kernelsPerStep).toBeGreaterThan(500); // tfjs launches thousands of small kernels per ViT step
    expect(result.dispatchesPerStep).toBeNull(); // no GPU programs on the CPU backend
    expect(result.topKernels).toHaveLength(10);
    expect(result.workKernelsPerStep).toBeLessThan(result.kernelsPerStep);
    expect(result.topKernels[0].ms).toBeGreaterThanOrEqual(result.topKernels[9].ms);
    const config = presetConfig('micro');
    expect(result.modelFlopsPerStep).toBe(stepFlops(config, planMasks(config)).total);
    expect(result.utilisation).toBeCloseTo(result.achievedFlopsPerSec / result.matmulFlopsPerSec, 9);
    expect(result.memory.map((m) => m.step)).toEqual([10, 14]);
    expect(result.memory[1].numTensors).toBe(result.memory[0].numTensors);
    expect(result.fused).toBe(true);

    const plain = await benchmarkBareStep(
      { preset: 'micro', backend: 'cpu', steps: 2, warmup: 0, fused: false },
      { adapter: 'CPU', threads: null },
    );
    expect(plain.fused).toBe(false);
    expect(plain.workKernelsPerStep).toBeGreaterThan(2.5 * result.workKernelsPerStep); // what the fused kernels are for
    expect(result.topKernels.some((k) => isNoWorkKernel(k.name))).toBe(false);
    expect(result.dataMovementMs).toBeGreaterThan(0); // the attention's transposes and split
    expect(result.dataMovementMs).toBeLessThan(result.medianStepMs);
  }, 120_000);

  it('times the first step on its own; precompiling is a WebGPU-only pass', async () => {
    const first = await measureFirstStep('micro', true);
    expect(first.precompileMs).toBeNull();
    expect(first.timeToFirstStepMs).toBe(first.firstStepMs);
  }, 60_000);

  it('measures large-matmul FLOP/s', async () => {
    expect(await matmulFlopsPerSec(64, 2)).toBeGreaterThan(1e6);
  });
});
