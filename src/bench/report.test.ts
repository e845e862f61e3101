import { describe, expect, it } from 'vitest';
import { programName, type BareStepResult } from '../worker/measurement/bareStep';
import { benchMarkdown, decoderCost, fusedGain, overheadRatio, type BenchCell, type BenchReport } from './report';

const bare = (fused: boolean, medianStepMs: number, workKernelsPerStep: number, dispatches: number): BareStepResult => ({
  preset: 'micro',
  backend: 'webgpu',
  adapter: 'test adapter',
  threads: null,
  batchSize: 8,
  fused,
  decoder: false,
  firstStepMs: 12_000,
  medianStepMs,
  meanStepMs: medianStepMs,
  imagesPerSec: 8000 / medianStepMs,
  kernelsPerStep: workKernelsPerStep + 500,
  workKernelsPerStep,
  dispatchesPerStep: dispatches,
  dispatchesByProgram: { matMulPackedVec4: dispatches - 150, 'ijepa multi-tensor': 50, binary_add: 100 },
  topKernels: [{ name: 'BatchMatMul', ms: 5, count: 77 }],
  dataMovementMs: medianStepMs / 20,
  modelFlopsPerStep: 8e7,
  achievedFlopsPerSec: 8e7 / (medianStepMs / 1000),
  matmulFlopsPerSec: 6.8e8,
  utilisation: 8e7 / (medianStepMs / 1000) / 6.8e8,
  memory: [
    { step: 10, numTensors: 171, gpuBytes: 1000 },
    { step: 13, numTensors: 171, gpuBytes: 1000 },
  ],
});

describe('benchmark report', () => {
  const cell: BenchCell = {
    preset: 'micro',
    backend: 'webgpu',
    bare: bare(true, 1000, 700, 400),
    plain: bare(false, 2000, 2100, 1400),
    precompiled: { precompileMs: 9000, firstStepMs: 1000, timeToFirstStepMs: 10_000 },
    app: { steps: 10, stepsPerSec: 0.95, predictor: { width: 16, depth: 1 } },
    overheadRatio: null,
    error: null,
  };
  cell.overheadRatio = overheadRatio(cell.app, cell.bare);
  const report: BenchReport = {
    date: '2026-11-26T00:00:00Z',
    userAgent: 'UA',
    adapter: 'test adapter',
    steps: 10,
    warmup: 2,
    cells: [
      cell,
      { ...cell, preset: 'small', bare: null, plain: null, error: 'over the 600 s budget' },
      {
        ...cell,
        backend: 'wasm',
        threads: 1,
        bare: { ...bare(true, 400, 900, 0), backend: 'wasm', threads: 1, dispatchesPerStep: null },
        plain: null,
      },
    ],
  };

  it('overhead ratio: app steps/s over bare steps/s', () => {
    expect(cell.overheadRatio).toBeCloseTo(0.95, 9);
    expect(overheadRatio(null, cell.bare)).toBeNull();
  });

  it('states the fused gain as ratios from the same run', () => {
    expect(fusedGain(cell)).toBe(
      'micro on webgpu: the fused step runs 3.00x fewer tfjs kernels that do work (3.50x fewer GPU dispatches) and the step is 2.00x as fast.',
    );
    expect(fusedGain({ ...cell, plain: null })).toBeNull();
    const onCpu = { ...cell, bare: { ...cell.bare!, dispatchesPerStep: null }, plain: { ...cell.plain!, dispatchesPerStep: null } };
    expect(fusedGain(onCpu)).toBe(
      'micro on webgpu: the fused step runs 3.00x fewer tfjs kernels that do work and the step is 2.00x as fast.',
    );
  });

  it("states the pixel decoder's cost beside the step, from the same run", () => {
    const withDecoder = { ...cell, decoder: { ...bare(true, 1100, 760, 430), decoder: true } };
    expect(decoderCost(withDecoder)).toBe(
      "micro on webgpu: the pixel decoder beside the step (and its view's blocks read back) takes the mean step from 1000.0 to 1100.0 ms (+10%).",
    );
    expect(decoderCost(cell)).toBeNull();
    const md = benchMarkdown({ ...report, cells: [withDecoder] });
    expect(md).toContain('| micro | webgpu | fused + pixel decoder | 1100.0 |');
    expect(md).toContain('- micro on webgpu: the pixel decoder beside the step');
  });

  it('writes one Markdown row per variant, the missing cells with their reason, and the top kernels', () => {
    const md = benchMarkdown(report);
    expect(md).toContain('| micro | webgpu | fused | 1000.0 | 8.0 | 12.0 s | 10.0 s | 1200 / 700 | 400 | 50.0 ms (5.0%) |');
    expect(md).toContain('| micro | webgpu | plain | 2000.0 | 4.0 | 12.0 s | – | 2600 / 2100 | 1400 | 100.0 ms (5.0%) |');
    expect(md).toContain('| micro | wasm (1 thread) | fused | 400.0 | 20.0 |');
    expect(md).toContain('Top kernels, micro on wasm (1 thread), fused');
    expect(md).toContain('| 0.95 | 171 → 171 | 1000 → 1000 |');
    expect(md).toContain('| small | webgpu | over the 600 s budget |');
    expect(md).toContain('- BatchMatMul: 5.00 ms, 77');
    expect(md).toContain('GPU dispatches by program, micro, fused: matMulPackedVec4 250, binary_add 100, ijepa multi-tensor 50');
  });

  it("names a program by tfjs' shader key without the shapes and types", () => {
    expect(programName('binary_add_64,1,1221float32,float32,float32A,B0_1;1truetrueflatDispatch')).toBe('binary_add');
    expect(programName('ijepa_adamw_param_64,1,1111float32,float32,float32,float32Param,M,V;;falsefalse')).toBe('ijepa_adamw_param');
  });
});
