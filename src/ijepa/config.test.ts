import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_FIELDS, CONFIG_KEYS, configFromReference, presetConfig, referenceConfig, type IJepaConfig } from './config';
import { referenceYaml } from './referenceYaml';

// every field different from the micro preset's
const changed: IJepaConfig = {
  cropSize: 48,
  patchSize: 6,
  randomResizedCrop: false,
  cropScale: [0.4, 0.9],
  embedDim: 48,
  depth: 3,
  numHeads: 3,
  mlpRatio: 2,
  posEmbedScale: 0.5,
  predEmbedDim: 24,
  predDepth: 2,
  maskStrategy: 'random',
  encMaskScale: [0.8, 0.95],
  predMaskScale: [0.1, 0.25],
  aspectRatio: [0.5, 2],
  numEncMasks: 2,
  numPredMasks: 3,
  minKeep: 5,
  allowOverlap: true,
  batchSize: 16,
  totalSteps: 123,
  warmupSteps: 7,
  startLr: 1e-5,
  lr: 3e-3,
  finalLr: 2e-7,
  weightDecay: 0.05,
  finalWeightDecay: 0.3,
  ema: [0.99, 0.999],
  loss: 'mse',
  predictionTarget: 'pixels',
  seed: 42,
};

describe('the config table (one place per field)', () => {
  it('names every field once, with a reference key of its own', () => {
    const base = presetConfig('micro');
    expect([...CONFIG_KEYS].sort()).toEqual(Object.keys(base).sort());
    expect(new Set(CONFIG_KEYS.map((key) => CONFIG_FIELDS[key].ref)).size).toBe(CONFIG_KEYS.length);
    for (const key of CONFIG_KEYS) expect(changed[key], key).not.toEqual(base[key]);
  });

  it('round-trips every field through the reference key names (checkpoint metadata)', () => {
    expect(configFromReference(referenceConfig(changed), presetConfig('micro'))).toEqual(changed);
    expect(configFromReference({}, changed)).toEqual(changed); // keys not given keep the base's values
  });

  it('puts every field with a place in the reference YAML there, with its value', () => {
    const doc = parse(referenceYaml(changed, 1600));
    for (const key of CONFIG_KEYS) {
      const { ref, yaml } = CONFIG_FIELDS[key];
      if (yaml) expect(doc[yaml.section][yaml.key ?? ref], key).toEqual(changed[key]);
    }
    // a setting the reference cannot train is said in the header, never silently dropped
    expect(referenceYaml(changed, 1600)).toContain('# Masks: the playground trained random masks');
    expect(referenceYaml(changed, 1600)).toContain('# Targets: the playground predicted pixels');
    expect(referenceYaml(presetConfig('micro'), 1600)).not.toMatch(/# Masks:|# Targets:/);
  });
});
