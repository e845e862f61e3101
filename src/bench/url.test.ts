import { describe, expect, it } from 'vitest';
import { benchRequestFromUrl, isBenchMode } from './url';

describe('the ?bench page mode URL', () => {
  it('is on only with bench=, and reads its request with defaults for what it leaves out or gets wrong', () => {
    expect(isBenchMode('?preset=tiny')).toBe(false);
    expect(isBenchMode('?bench=1&preset=tiny')).toBe(true);
    const request = benchRequestFromUrl('?bench=1&presets=tiny,nope&backends=webgpu,cpu&steps=0&budget=30&plain=0', ['cpu', 'wasm']);
    expect(request).toEqual({
      presets: ['tiny'],
      backends: ['cpu'],
      steps: 10,
      warmup: 2,
      budgetSec: 30,
      comparePlain: false,
      compareDecoder: false,
    });
    expect(benchRequestFromUrl('?bench=1&decoder=1', ['wasm']).compareDecoder).toBe(true);
    expect(benchRequestFromUrl('?bench=1', ['wasm']).presets).toEqual(['micro', 'tiny', 'small', 'vit_tiny']);
  });
});
