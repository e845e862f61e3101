import { describe, expect, it } from 'vitest';
import { PRESETS, presetConfig } from './config';
import { assertValidConfig, ConfigError, validateConfig } from './validate';

describe('config validation', () => {
  it('accepts every preset', () => {
    for (const config of Object.values(PRESETS)) expect(validateConfig(config)).toEqual([]);
  });

  it.each([
    [{ cropSize: 30 }, /not divisible by the patch size/],
    [{ minKeep: 9 }, /minKeep 9 must be smaller than the smallest target block \(9 patches/],
    [{ numHeads: 3 }, /embedDim 32 is not divisible by numHeads 3/],
    [{ embedDim: 30, numHeads: 2 }, /multiple of 4/],
    [{ cropSize: 8 }, /masks need at least 3x3/],
    [{ predMaskScale: [0.3, 0.2] as const }, /predMaskScale must be a range/],
    [{ warmupSteps: 5000 }, /warmupSteps must be an integer in \[0, totalSteps\)/],
    [{ batchSize: 0 }, /batchSize must be a positive integer/],
    [{ lr: Number.NaN }, /lr must be a finite number/],
    [{ ema: [0.996, 1.2] as const }, /ema must be a range/],
    [{ posEmbedScale: 0 }, /posEmbedScale must be in \(0, 1\]/],
    [{ posEmbedScale: 1.5 }, /posEmbedScale must be in \(0, 1\]/],
  ])('rejects %o with a clear message', (override, message) => {
    const problems = validateConfig(presetConfig('micro', override));
    expect(problems.join('\n')).toMatch(message);
  });

  it('throws one error listing every problem', () => {
    expect(() => assertValidConfig(presetConfig('micro', { cropSize: 30, numHeads: 3 }))).toThrow(ConfigError);
    try {
      assertValidConfig(presetConfig('micro', { cropSize: 30, numHeads: 3 }));
    } catch (e) {
      expect((e as ConfigError).problems.length).toBeGreaterThanOrEqual(2);
    }
  });
});
