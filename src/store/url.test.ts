import { describe, expect, it } from 'vitest';
import { presetConfig } from '../ijepa/config';
import { configToQuery, queryToConfig, runOverrides } from './url';

describe('settings in the URL', () => {
  it('round-trips a config as the preset plus its differences', () => {
    const config = presetConfig('tiny', { lr: 0.002, ema: [0.99, 1], loss: 'mse', randomResizedCrop: false });
    const query = configToQuery('tiny', config);
    expect(query).toBe('preset=tiny&randomResizedCrop=false&lr=0.002&ema=0.99%2C1&loss=mse');
    expect(queryToConfig(query)).toEqual({ preset: 'tiny', config, problems: [] });
  });

  it('ignores and reports bad values, unknown presets, and impossible combinations', () => {
    expect(queryToConfig('preset=huge').problems).toEqual(['unknown preset "huge"']);
    const bad = queryToConfig('preset=micro&lr=fast&batchSize=16');
    expect(bad.problems).toEqual(['lr=fast is not a valid value']);
    expect(bad.config.batchSize).toBe(16);
    const impossible = queryToConfig('preset=micro&cropSize=30');
    expect(impossible.config).toEqual(presetConfig('micro'));
    expect(impossible.problems.join(' ')).toMatch(/not divisible by the patch size.*using the micro preset instead/);
  });

  it('reads where to run from the link: backend, WASM threads, decoders, and whether it names a preset', () => {
    expect(runOverrides('?backend=wasm&wasmThreads=1&decoders=4&preset=tiny&data=digits')).toEqual({
      backend: 'wasm',
      wasmThreads: 1,
      decoders: 4,
      dataset: 'digits',
      predictorView: true,
      presetFromLink: true,
    });
    expect(runOverrides('?backend=cuda&wasmThreads=0&lr=0.1&data=cifar')).toEqual({
      backend: null,
      wasmThreads: undefined,
      decoders: undefined,
      dataset: undefined,
      predictorView: true,
      presetFromLink: false,
    });
  });
});
