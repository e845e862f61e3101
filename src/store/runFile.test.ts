import { describe, expect, it } from 'vitest';
import { presetConfig } from '../ijepa/config';
import { readRunFile, runFileName, runFileText } from './runFile';
import type { KeptRun } from './runLibrary';

const run: KeptRun = {
  id: 'r1',
  name: 'tiny · browser · digits',
  notes: 'block masks, for the ablation',
  createdAt: 1,
  updatedAt: 2,
  dataset: { source: 'digits', images: 3000, classes: 10 },
  preset: 'tiny',
  recipe: 'browser',
  config: presetConfig('tiny', { maskStrategy: 'block' }),
  backend: 'webgpu',
  step: 3,
  totalSteps: 600,
  phase: 'paused',
  history: {
    step: [0, 1, 2],
    loss: [0.5, Number.NaN, 0.3],
    lr: [1, 2, 3],
    wd: [1, 1, 1],
    momentum: [1, 1, 1],
    stepMs: [9, 9, 9],
    wallMs: [9, 18, 27],
  },
  evaluations: [{ step: 2, knn: 0.4, probeTrain: 0.7, probeTest: 0.6, featureStd: 0.1, rankMe: 4, rankMeCentred: 4 }],
  baseline: { step: 0, knn: 0.3, probeTrain: 0.6, probeTest: 0.5, featureStd: 0.1, rankMe: 4, rankMeCentred: 4 },
};

describe('a run as one file', () => {
  it('reads back what it wrote (a skipped step NaN again), under a name made for a file', () => {
    expect(readRunFile(runFileText(run))).toEqual(run);
    expect(runFileName(run)).toBe('ijepa-run-tiny-browser-digits-step3.json');
  });

  it('a run written before a setting existed gets its default', () => {
    const old = JSON.parse(runFileText(run));
    delete old.run.config.maskStrategy;
    delete old.run.config.predictionTarget;
    const read = readRunFile(JSON.stringify(old));
    expect([read.config.maskStrategy, read.config.predictionTarget]).toEqual(['multiblock', 'representations']);
  });

  it('names what is wrong with a file that is not a run', () => {
    const broken = (edit: (doc: { format: string; version: number; run: Record<string, unknown> }) => void) => {
      const doc = JSON.parse(runFileText(run));
      edit(doc);
      return () => readRunFile(JSON.stringify(doc));
    };
    expect(() => readRunFile('{')).toThrow('it is not JSON');
    expect(() => readRunFile('{"format":"safetensors"}')).toThrow('it is not a run file of this page');
    expect(broken((d) => (d.version = 99))).toThrow('a newer version of the page');
    expect(broken((d) => (d.run.preset = 'huge'))).toThrow('its preset "huge" is unknown');
    expect(broken((d) => ((d.run.config as Record<string, unknown>).cropSize = 30))).toThrow(
      'its settings are not valid: image size 30 px',
    );
    expect(broken((d) => ((d.run.history as Record<string, unknown>).loss = 'low'))).toThrow('its loss history is not a list of numbers');
    expect(broken((d) => ((d.run.history as Record<string, number[]>).lr = [1]))).toThrow('its histories have different lengths');
  });
});
