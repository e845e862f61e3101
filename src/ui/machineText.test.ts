import { describe, expect, it } from 'vitest';
import type { BackendMeasurement, BackendTrial } from '../client/backendChoice';
import { describeBackends, describePresets, describeTrial } from './machineText';

const trial = (patch: Partial<BackendTrial>): BackendTrial => ({
  name: 'wasm',
  adapter: 'CPU',
  isSoftware: false,
  threads: null,
  outcome: 'measured',
  shaderMs: null,
  stepsPerSec: null,
  firstStepMs: null,
  elapsedMs: 1300,
  ...patch,
});

describe('the startup measurement in words', () => {
  it('says what each backend did', () => {
    expect(describeTrial(trial({ threads: 2, stepsPerSec: 5.31 }))).toBe('WASM (2 threads) 5.3 steps/s');
    expect(describeTrial(trial({ name: 'cpu', outcome: 'stopped', firstStepMs: 1040 }))).toBe('CPU: first step 1.0 s, stopped');
    expect(describeTrial(trial({ name: 'webgpu', isSoftware: true, outcome: 'stopped', shaderMs: 1400 }))).toBe(
      'WebGPU (software): its first shader took over 1.4 s (a step compiles over 50), stopped',
    );
    expect(describeTrial(trial({ name: 'webgpu', outcome: 'stopped', shaderMs: 26.4 }))).toBe(
      'WebGPU: its first shader took over 26 ms (a step compiles over 50), stopped',
    );
    expect(describeTrial(trial({ name: 'webgl', adapter: '', outcome: 'stopped' }))).toBe('WebGL: did not start within 1.3 s, stopped');
    expect(describeTrial(trial({ name: 'webgl', outcome: 'stopped' }))).toBe('WebGL: no step within 1.3 s, stopped');
    expect(describeTrial(trial({ name: 'webgl', outcome: 'unavailable' }))).toBe('WebGL: not available');
    expect(describeTrial(trial({ name: 'cpu', outcome: 'skipped' }))).toBe('CPU: not timed (WASM runs its kernels compiled)');
  });

  it('names the winner and why the page opened on its preset', () => {
    const measurement: BackendMeasurement = {
      trials: [trial({ threads: 2, stepsPerSec: 6.1 }), trial({ name: 'webgpu', isSoftware: true, stepsPerSec: 0.9 })],
      chosen: 'wasm',
      available: ['wasm', 'webgpu'],
      elapsedMs: 5000,
      defaultPreset: 'micro',
      presets: [
        { preset: 'micro', stepsPerSec: 6.1, measured: true },
        { preset: 'tiny', stepsPerSec: 0.38, measured: false },
        { preset: 'small', stepsPerSec: 0.012, measured: false },
      ],
    };
    expect(describeBackends(measurement)).toBe('WASM (2 threads) 6.1 steps/s · WebGPU (software) 0.90 steps/s → WASM');
    expect(describePresets(measurement, null)).toBe(
      'Default runs on WASM: micro 6.1 steps/s · tiny ≈ 0.38 steps/s (estimated) · small ≈ 0.012 steps/s (estimated). The page opened on micro, the largest preset that trains at ≥ 0.5 steps/s here.',
    );
    expect(describePresets(measurement, 'tiny')).toMatch(
      /The link chose tiny; the largest preset that trains at ≥ 0\.5 steps\/s here is micro\.$/,
    );
  });
});
