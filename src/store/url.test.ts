import { describe, expect, it } from 'vitest';
import { presetConfig } from '../ijepa/config';
import { recipeConfig } from '../ijepa/recipe';
import { configToQuery, queryToConfig, runOverrides, withSettings } from './url';

describe('settings in the URL', () => {
  it('round-trips a config as the preset plus its differences, under either recipe', () => {
    const config = presetConfig('tiny', { lr: 0.002, ema: [0.99, 1], loss: 'mse', randomResizedCrop: false });
    const query = configToQuery('tiny', config, 'reference');
    expect(query).toBe('preset=tiny&recipe=reference&randomResizedCrop=false&lr=0.002&ema=0.99%2C1&loss=mse');
    expect(queryToConfig(query)).toEqual({ preset: 'tiny', recipe: 'reference', config, problems: [] });
    // the browser recipe (the default): the fields it changes are in the link, so it reproduces them
    const browser = recipeConfig(presetConfig('micro'), 'browser', { stepsPerSec: 4 });
    const link = configToQuery('micro', browser);
    expect(link).toMatch(/^preset=micro&cropScale=0.2%2C1&.*totalSteps=\d+&warmupSteps=\d+/);
    expect(queryToConfig(link)).toEqual({ preset: 'micro', recipe: 'browser', config: browser, problems: [] });
    // a link without fields lays out the recipe with what this machine measured
    const measured = queryToConfig('preset=micro', 'tiny', (preset, recipe) =>
      recipeConfig(presetConfig(preset), recipe, { stepsPerSec: 4 }),
    );
    expect(measured.config).toEqual(browser);
  });

  it('ignores and reports bad values, unknown presets, and impossible combinations', () => {
    expect(queryToConfig('preset=huge').problems).toEqual(['unknown preset "huge"']);
    const bad = queryToConfig('preset=micro&lr=fast&batchSize=16');
    expect(bad.problems).toEqual(['lr=fast is not a valid value']);
    expect(bad.config.batchSize).toBe(16);
    const impossible = queryToConfig('preset=micro&recipe=reference&cropSize=30');
    expect(impossible.config).toEqual(presetConfig('micro'));
    expect(queryToConfig('preset=micro&recipe=fast').problems).toEqual(['unknown recipe "fast"']);
    expect(impossible.problems.join(' ')).toMatch(/not divisible by the patch size.*using the micro preset instead/);
  });

  it('reads where to run from the link: backend, WASM threads, decoders, the views, and whether it names a preset', () => {
    expect(runOverrides('?backend=wasm&wasmThreads=1&decoders=4&preset=tiny&data=digits&decoderView=0')).toEqual({
      backend: 'wasm',
      wasmThreads: 1,
      decoders: 4,
      dataset: 'digits',
      predictorView: true,
      decoderView: false,
      presetFromLink: true,
    });
    expect(runOverrides('?backend=cuda&wasmThreads=0&lr=0.1&data=cifar')).toEqual({
      backend: null,
      wasmThreads: undefined,
      decoders: undefined,
      dataset: undefined,
      predictorView: true,
      decoderView: true,
      presetFromLink: false,
    });
  });

  it('rewrites only the settings in a link: where to run and a page mode stay, settings back at the preset go', () => {
    const before = 'preset=tiny&lr=0.002&backend=wasm&bench=1&presets=micro&autorun=1';
    const after = new URLSearchParams(withSettings(before, 'preset=micro&batchSize=16'));
    expect(Object.fromEntries(after)).toEqual({
      preset: 'micro',
      batchSize: '16',
      backend: 'wasm',
      bench: '1',
      presets: 'micro',
      autorun: '1',
    });
  });
});
