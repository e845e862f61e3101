import { describe, expect, it } from 'vitest';
import { presetConfig } from '../ijepa/config';
import { alignByX, differingSettings } from './compareRuns';
import type { KeptRun } from './runLibrary';

const run = (overrides: Partial<KeptRun>): KeptRun => ({
  id: 'a',
  name: 'a',
  createdAt: 0,
  updatedAt: 0,
  dataset: { source: 'digits', images: 3000, classes: 10 },
  preset: 'tiny',
  recipe: 'browser',
  config: presetConfig('tiny'),
  backend: 'wasm',
  step: 10,
  totalSteps: 100,
  phase: 'paused',
  history: { step: [], loss: [], lr: [], wd: [], momentum: [], stepMs: [], wallMs: [] },
  evaluations: [],
  baseline: null,
  ...overrides,
});

describe('comparing runs', () => {
  it('lists exactly the settings that differ, by the names the settings form uses', () => {
    const a = run({});
    const b = run({ config: presetConfig('tiny', { maskStrategy: 'random', lr: 5e-4 }), backend: 'webgpu' });
    expect(differingSettings([a, b])).toEqual([
      { name: 'Backend', values: ['wasm', 'webgpu'] },
      { name: 'Masks', values: ['multiblock', 'random'] },
      { name: 'Peak lr', values: ['0.001', '0.0005'] },
    ]);
    expect(differingSettings([a, run({ id: 'b' })])).toEqual([]);
    expect(differingSettings([a, run({ config: presetConfig('tiny', { ema: [0.99, 1] }) })])).toEqual([
      { name: 'EMA momentum', values: ['0.996–1', '0.99–1'] },
    ]);
  });

  it('aligns series on the union of their x values', () => {
    expect(
      alignByX([
        { xs: [0, 250, 500], ys: [0.3, 0.4, 0.5] },
        { xs: [0, 100], ys: [0.2, 0.25] },
      ]),
    ).toEqual({
      xs: [0, 100, 250, 500],
      ys: [
        [0.3, null, 0.4, 0.5],
        [0.2, 0.25, null, null],
      ],
    });
  });
});
