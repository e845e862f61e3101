// An experiment: a list of variants of one run's settings, trained one after another on the same
// data and seed and evaluated alike (./experimentQueue.ts trains them). This file holds what an
// experiment is, the built-in one (the paper's masking and target ablations), "one field varied",
// and the table its kept runs make.
import { CONFIG_FIELDS, type IJepaConfig, type PresetName } from '../ijepa/config';
import type { RecipeName } from '../ijepa/recipe';
import { validateConfig } from '../ijepa/validate';
import { lastFigures, type KeptRun } from './runLibrary';

export interface Variant {
  label: string;
  overrides: Partial<IJepaConfig>; // laid over the experiment's base settings
  paper?: string; // the paper's figure for this variant, where the experiment reproduces one
}

export interface Experiment {
  id: string;
  name: string;
  preset: PresetName;
  recipe: RecipeName;
  base: IJepaConfig; // the settings when it was queued (their seed is every variant's)
  variants: Variant[];
  evalEvery: number; // the same evaluation steps for every variant (0: only at the end)
  dataset: KeptRun['dataset']; // the data every variant trains on
  index: number; // the variant training now (variants.length: all trained)
  runIds: (string | null)[]; // each variant's kept run, once it has one
  state: 'running' | 'done' | 'stopped';
  paused: boolean; // the run of the current variant was paused (kept across a reload)
  note: string; // why it stopped or waits ('' when nothing to say)
}

export const ABLATIONS_NAME = "The paper's masking and target ablations";

/** The paper's ablations (Assran et al. 2023, Tables 6 and 7: linear probe on 1% of ImageNet), as
 *  variants of the page's settings: the four masking strategies predicting representations, and
 *  multi-block masks predicting pixels. */
export const PAPER_ABLATIONS: readonly Variant[] = [
  { label: 'multi-block', overrides: { maskStrategy: 'multiblock', predictionTarget: 'representations' }, paper: '54.2% · 66.9%' },
  { label: 'rasterized', overrides: { maskStrategy: 'rasterized', predictionTarget: 'representations' }, paper: '15.5%' },
  { label: 'block', overrides: { maskStrategy: 'block', predictionTarget: 'representations' }, paper: '20.2%' },
  { label: 'random', overrides: { maskStrategy: 'random', predictionTarget: 'representations' }, paper: '17.6%' },
  { label: 'multi-block, pixel targets', overrides: { maskStrategy: 'multiblock', predictionTarget: 'pixels' }, paper: '40.7%' },
];

export interface ExperimentSetup {
  name: string;
  preset: PresetName;
  recipe: RecipeName;
  base: IJepaConfig;
  variants: readonly Variant[];
  evalEvery: number;
  dataset: KeptRun['dataset'];
}

/** A new experiment, at its first variant; each variant's settings must be valid (else: an Error
 *  naming the first that is not). */
export function newExperiment(setup: ExperimentSetup, id: string): Experiment {
  const problem = variantsProblem(setup.base, setup.variants);
  if (problem) throw new Error(problem);
  return {
    ...setup,
    variants: [...setup.variants],
    id,
    index: 0,
    runIds: setup.variants.map(() => null),
    state: 'running',
    paused: false,
    note: '',
  };
}

/** Why these variants cannot be queued (null: they can): none, or one whose settings are invalid. */
export function variantsProblem(base: IJepaConfig, variants: readonly Variant[]): string | null {
  if (variants.length === 0) return 'An experiment needs at least one variant.';
  for (const variant of variants) {
    const problems = validateConfig(variantConfig(base, variant));
    if (problems.length > 0) return `${variant.label}: ${problems[0]}`;
  }
  return null;
}

export const variantConfig = (base: IJepaConfig, variant: Variant): IJepaConfig => ({ ...base, ...variant.overrides });

/** The name of a variant's kept run. */
export const variantRunName = (experiment: Pick<Experiment, 'name'>, variant: Variant) => `${experiment.name}: ${variant.label}`;

/** The fields one can vary: the settings form's numbers and choices. */
export type VariedKey = keyof IJepaConfig;

/** Variants of `key` taking each of `values` (the base's own value included if listed). */
export function oneFieldVaried(key: VariedKey, values: readonly IJepaConfig[VariedKey][]): Variant[] {
  const label = CONFIG_FIELDS[key].form?.label ?? key;
  return values.map((value) => ({ label: `${label} ${String(value)}`, overrides: { [key]: value } }));
}

/** Numbers typed as a list ("1e-3, 3e-4 5e-4"): the numbers, or the first entry that is not one. */
export function parseNumberList(text: string): { values: number[]; problem: string | null } {
  const entries = text.split(/[\s,;]+/).filter((e) => e !== '');
  const values: number[] = [];
  for (const entry of entries) {
    const value = Number(entry);
    if (!Number.isFinite(value)) return { values, problem: `"${entry}" is not a number` };
    if (!values.includes(value)) values.push(value);
  }
  return { values, problem: values.length < 2 ? 'give two values or more' : null };
}

export interface ExperimentRow {
  variant: Variant;
  status: 'queued' | 'training' | 'trained' | 'skipped';
  run: KeptRun | null;
  knnGain: number | null; // trained minus random init, at the run's last evaluation
  probeGain: number | null;
  knn: number | null;
  probe: number | null;
}

/** One row per variant: its kept run (when listed) and its last figures against its random init. */
export function experimentRows(experiment: Experiment, runs: readonly KeptRun[]): ExperimentRow[] {
  return experiment.variants.map((variant, i) => {
    const run = runs.find((r) => r.id === experiment.runIds[i]) ?? null;
    const figures = run ? lastFigures(run) : null;
    const status =
      i < experiment.index
        ? 'trained'
        : i === experiment.index && experiment.state === 'running'
          ? 'training'
          : experiment.state === 'stopped'
            ? 'skipped'
            : 'queued';
    return {
      variant,
      status,
      run,
      knnGain: figures ? figures.knn - figures.knnRandom : null,
      probeGain: figures ? figures.probe - figures.probeRandom : null,
      knn: figures?.knn ?? null,
      probe: figures?.probe ?? null,
    };
  });
}
