import { describe, expect, it } from 'vitest';
import type { BackendMeasurement } from './backendChoice';
import { machineKey, recallMeasurement, REMEMBER_FOR_MS, rememberMeasurement } from './rememberedMeasurement';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

const measurement: BackendMeasurement = {
  trials: [
    {
      name: 'wasm',
      adapter: 'CPU',
      isSoftware: false,
      threads: 2,
      outcome: 'measured',
      shaderMs: null,
      stepsPerSec: 4.2,
      firstStepMs: 900,
      elapsedMs: 2100,
    },
  ],
  chosen: 'wasm',
  available: ['wasm', 'cpu'],
  presets: [
    { preset: 'micro', stepsPerSec: 4.2, measured: true },
    { preset: 'tiny', stepsPerSec: 2.0, measured: true },
  ],
  defaultPreset: 'tiny',
  elapsedMs: 9400,
};
const machine = {
  userAgent: 'Chromium 140',
  cores: 2,
  isolated: true,
  gpus: { webgpu: 'software', webgl: 'software', adapters: 'google swiftshader (software) · SwiftShader (software)' } as const,
  backend: null,
  wasmThreads: undefined,
};

describe('the remembered startup measurement', () => {
  it('is recalled on the same machine and browser, with when it was taken', () => {
    const storage = memoryStorage();
    rememberMeasurement(storage, machineKey(machine), measurement, 1000);
    expect(recallMeasurement(storage, machineKey(machine), 5000)).toEqual({ ...measurement, rememberedFrom: 1000 });
  });

  it('is measured again (and forgotten) for another adapter, browser, core count, link choice, or after a month', () => {
    const others = [
      { ...machine, gpus: { ...machine.gpus, webgpu: 'hardware', adapters: 'nvidia ampere · ANGLE (NVIDIA)' } as const },
      { ...machine, userAgent: 'Chromium 141' },
      { ...machine, cores: 8 },
      { ...machine, isolated: false },
      { ...machine, backend: 'webgl' },
      { ...machine, wasmThreads: 1 },
    ];
    for (const other of others) {
      const storage = memoryStorage();
      rememberMeasurement(storage, machineKey(machine), measurement, 1000);
      expect(machineKey(other)).not.toBe(machineKey(machine));
      expect(recallMeasurement(storage, machineKey(other), 5000)).toBeNull();
      expect(storage.items.size).toBe(0);
    }
    const storage = memoryStorage();
    rememberMeasurement(storage, machineKey(machine), measurement, 1000);
    expect(recallMeasurement(storage, machineKey(machine), 1000 + REMEMBER_FOR_MS)).toBeNull();
  });

  it('ignores what is not a whole measurement: nothing, broken JSON, a missing field, an unknown backend', () => {
    const key = machineKey(machine);
    const storage = memoryStorage();
    expect(recallMeasurement(storage, key, 0)).toBeNull();
    for (const bad of [
      '{not json',
      JSON.stringify({ key, at: 0, measurement: { ...measurement, presets: undefined } }),
      JSON.stringify({ key, at: 0, measurement: { ...measurement, chosen: 'tpu' } }),
    ]) {
      storage.setItem('ijepa-playground.measurement', bad);
      expect(recallMeasurement(storage, key, 1)).toBeNull();
    }
  });
});
