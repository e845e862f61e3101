// What an experiment is: the paper's ablations as variants, one field varied, the values typed as a
// list, and the table of its kept runs against their random init.
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../ijepa/config';
import type { EvalRecord } from '../ijepa/diagnostics';
import {
  experimentRows,
  newExperiment,
  oneFieldVaried,
  PAPER_ABLATIONS,
  parseNumberList,
  variantsProblem,
  type ExperimentSetup,
} from './experiments';
import type { KeptRun } from './runLibrary';

const base = PRESETS.micro;
const setup: ExperimentSetup = {
  name: 'Ablations',
  preset: 'micro',
  recipe: 'browser',
  base,
  variants: PAPER_ABLATIONS,
  evalEvery: 100,
  dataset: { source: 'digits', images: 3000, classes: 10 },
};
const evaluation = (step: number, knn: number, probe: number) => ({ step, knn, probeTest: probe }) as EvalRecord;

describe('experiments', () => {
  it("lists the paper's five ablations, each one change from multi-block representations", () => {
    expect(PAPER_ABLATIONS.map((v) => v.label)).toEqual(['multi-block', 'rasterized', 'block', 'random', 'multi-block, pixel targets']);
    expect(PAPER_ABLATIONS.map((v) => v.paper)).toEqual(['54.2% · 66.9%', '15.5%', '20.2%', '17.6%', '40.7%']);
    expect(variantsProblem(base, PAPER_ABLATIONS)).toBeNull();
  });

  it('reads a typed list of numbers, naming what is not one', () => {
    expect(parseNumberList('1e-3, 3e-4 5e-4;1e-3')).toEqual({ values: [1e-3, 3e-4, 5e-4], problem: null });
    expect(parseNumberList('1e-3, fast').problem).toBe('"fast" is not a number');
    expect(parseNumberList('1e-3').problem).toBe('give two values or more');
  });

  it('names a variant whose settings are invalid', () => {
    expect(variantsProblem(base, oneFieldVaried('batchSize', [8, 0]))).toMatch(/^Batch size 0: /);
    expect(variantsProblem(base, [])).toMatch(/at least one/);
    expect(oneFieldVaried('lr', [1e-3]).map((v) => v.label)).toEqual(['Peak lr 0.001']);
  });

  it("gives each variant its run's last figures against its random init, and where it stands", () => {
    const experiment = { ...newExperiment(setup, 'x'), index: 2, runIds: ['a', 'b', 'c', null, null] };
    const run = (id: string, evaluations: EvalRecord[]) =>
      ({ id, step: 5, totalSteps: 5, evaluations, baseline: evaluation(0, 0.3, 0.5) }) as unknown as KeptRun;
    const runs = [run('a', [evaluation(5, 0.45, 0.6)]), run('b', [evaluation(3, 0.5, 0.7), evaluation(5, 0.25, 0.45)]), run('c', [])];
    const rows = experimentRows(experiment, runs);
    expect(rows.map((r) => r.status)).toEqual(['trained', 'trained', 'training', 'queued', 'queued']);
    expect(rows[0].knnGain).toBeCloseTo(0.15);
    expect(rows[0].probeGain).toBeCloseTo(0.1);
    expect(rows[1].knnGain).toBeCloseTo(-0.05); // the last evaluation, not the best
    expect(rows[2].knnGain).toBeNull();
    expect(rows[3].run).toBeNull();
    expect(experimentRows({ ...experiment, state: 'stopped' }, runs).map((r) => r.status)).toEqual([
      'trained',
      'trained',
      'skipped',
      'skipped',
      'skipped',
    ]);
  });
});
