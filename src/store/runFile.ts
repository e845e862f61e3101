// A kept run as one file (JSON), to move it to another browser or machine and compare it there: its
// settings, data, every step and every evaluation. Reading one checks what it holds and names what
// is wrong; a run written before a setting existed gets that setting's default.
import { PRESETS, type IJepaConfig, type PresetName } from '../ijepa/config';
import { RECIPES, type RecipeName } from '../ijepa/recipe';
import { validateConfig } from '../ijepa/validate';
import { STEP_FIELDS } from '../worker/protocol';
import type { KeptRun } from './runLibrary';

const FORMAT = 'ijepa-playground-run';
const VERSION = 1;
/** The most a run file may hold: a run of 100,000 steps is about 10 MB. */
export const MAX_RUN_FILE_BYTES = 64 * 1024 * 1024;

export function runFileText(run: KeptRun): string {
  return JSON.stringify({ format: FORMAT, version: VERSION, run });
}

export const runFileName = (run: KeptRun) => `ijepa-run-${run.name.replace(/[^\w.-]+/g, '-').replace(/^-|-$/g, '')}-step${run.step}.json`;

class RunFileError extends Error {}

const numbers = (value: unknown, what: string): number[] => {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' || v === null))
    throw new RunFileError(`${what} is not a list of numbers`);
  return value.map((v) => (v === null ? Number.NaN : v)); // JSON writes NaN (a skipped step's loss) as null
};

/** The run a file holds; throws an Error saying what is wrong with it. */
export function readRunFile(text: string): KeptRun {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RunFileError('it is not JSON');
  }
  const file = doc as { format?: unknown; version?: unknown; run?: Partial<KeptRun> };
  if (file?.format !== FORMAT || typeof file.run !== 'object' || file.run === null)
    throw new RunFileError('it is not a run file of this page');
  if (typeof file.version !== 'number' || file.version > VERSION)
    throw new RunFileError(`it was written by a newer version of the page (format ${String(file.version)})`);
  const run = file.run;
  const preset = run.preset as PresetName;
  if (!(preset in PRESETS)) throw new RunFileError(`its preset "${String(run.preset)}" is unknown`);
  if (!RECIPES.includes(run.recipe as RecipeName)) throw new RunFileError(`its recipe "${String(run.recipe)}" is unknown`);
  const config = { ...PRESETS[preset], ...(run.config as Partial<IJepaConfig>) }; // settings added since keep their defaults
  const problems = validateConfig(config);
  if (problems.length > 0) throw new RunFileError(`its settings are not valid: ${problems.join('; ')}`);
  const history = Object.fromEntries(STEP_FIELDS.map((f) => [f, numbers(run.history?.[f], `its ${f} history`)])) as KeptRun['history'];
  if (new Set(STEP_FIELDS.map((f) => history[f].length)).size > 1) throw new RunFileError('its histories have different lengths');
  if (!Array.isArray(run.evaluations)) throw new RunFileError('it has no list of evaluations');
  if (typeof run.id !== 'string' || typeof run.name !== 'string') throw new RunFileError('it has no id or name');
  return {
    id: run.id,
    name: run.name,
    ...(typeof run.notes === 'string' && run.notes !== '' && { notes: run.notes }),
    createdAt: Number(run.createdAt) || Date.now(),
    updatedAt: Number(run.updatedAt) || Date.now(),
    dataset: {
      source: run.dataset?.source ?? 'files',
      images: Number(run.dataset?.images) || 0,
      classes: Number(run.dataset?.classes) || 0,
    },
    preset,
    recipe: run.recipe as RecipeName,
    config,
    backend: typeof run.backend === 'string' ? run.backend : null,
    step: history.step.length > 0 ? Number(run.step) || history.step.length : 0,
    totalSteps: Number(run.totalSteps) || config.totalSteps,
    phase: run.phase ?? 'paused',
    history,
    evaluations: run.evaluations,
    baseline: run.baseline ?? null,
  };
}
