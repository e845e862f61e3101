import { describe, expect, it } from 'vitest';
import type { Measurement } from '../client/rememberedMeasurement';
import type { PresetName } from '../ijepa/config';
import type { BackendName } from '../worker/protocol';
import { afterMeasurement } from './machineMeasurement';

const measured = (chosen: BackendName, defaultPreset: PresetName): Measurement => ({
  trials: [],
  chosen,
  available: ['wasm', 'webgpu'],
  presets: [],
  defaultPreset,
  elapsedMs: 1000,
});
const noLink = { backend: null, presetFromLink: false };

describe('the measurement ending after the page opened on its first backend', () => {
  it('keeps the same choice, adopts another while nothing has trained, and only tells once a run has begun', () => {
    const openedOn = measured('wasm', 'tiny');
    expect(afterMeasurement(openedOn, measured('wasm', 'tiny'), noLink, true)).toBe('keep');
    expect(afterMeasurement(openedOn, measured('webgpu', 'tiny'), noLink, true)).toBe('adopt');
    expect(afterMeasurement(openedOn, measured('webgpu', 'small'), noLink, true)).toBe('adopt');
    expect(afterMeasurement(openedOn, measured('wasm', 'micro'), noLink, true)).toBe('adopt');
    expect(afterMeasurement(openedOn, measured('webgpu', 'tiny'), noLink, false)).toBe('tell');
  });

  it('leaves what the link chose: its backend, its preset', () => {
    const openedOn = measured('wasm', 'tiny');
    expect(afterMeasurement(openedOn, measured('webgpu', 'tiny'), { backend: 'wasm', presetFromLink: false }, true)).toBe('keep');
    expect(afterMeasurement(openedOn, measured('wasm', 'small'), { backend: null, presetFromLink: true }, false)).toBe('keep');
    expect(afterMeasurement(openedOn, measured('webgpu', 'small'), { backend: null, presetFromLink: true }, true)).toBe('adopt');
  });
});
