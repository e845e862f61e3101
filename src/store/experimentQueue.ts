// Trains an experiment's variants (./experiments.ts) one after another: each from a fresh run with
// the variant's settings, named after it, evaluated at the experiment's steps and once more at its
// last step, then the next. The experiment is kept in localStorage, so a reload goes on with the
// variant it was training (from the run's autosave, or from its first step when it has none) once
// the page has the experiment's data again. The page's side (trainerConnection) drives it through
// the hooks at the bottom; the runs themselves are kept by ./keptRuns like every run.
import { create } from 'zustand';
import type { IJepaConfig, PresetName } from '../ijepa/config';
import type { RecipeName } from '../ijepa/recipe';
import type { RunStatus, SavedRunSummary } from '../worker/protocol';
import { newExperiment, variantConfig, variantRunName, type Experiment, type ExperimentSetup } from './experiments';
import type { KeptRun } from './runLibrary';

/** What the queue needs from the page: its run as it is now, and the same intents as its buttons. */
export interface ExperimentDriver {
  page(): {
    status: RunStatus;
    config: IJepaConfig;
    dataset: KeptRun['dataset'];
    lastEvaluatedStep: number | null;
    savedRun: SavedRunSummary | null;
  };
  reset(): Promise<unknown>;
  configure(preset: PresetName, recipe: RecipeName, config: IJepaConfig): Promise<unknown>;
  setEvalEvery(steps: number): Promise<unknown>;
  train(): Promise<unknown>;
  pause(): Promise<unknown>;
  evaluateNow(): Promise<unknown>;
  resumeSavedRun(): Promise<RunStatus['phase'] | null>; // the restored run's phase (null: not restored)
  keptRunId(): string | null; // the page's kept run (null before its first step)
  nameNextRun(name: string): void; // the name of the kept run the next first step starts
}

export const useExperiment = create<{ experiment: Experiment | null }>(() => ({ experiment: null }));

const STORAGE_KEY = 'ijepa-playground-experiment';

let driver: ExperimentDriver | null = null;
let storage: Storage | null = null;
let awaitingEvaluationOf: number | null = null; // the last step, whose evaluation the worker is making
let driving = false; // this page has started (or resumed) the current variant's run
let queue: Promise<void> = Promise.resolve(); // transitions one at a time, in order
let pending = 0; // transitions asked for and not yet done

const sameDataset = (a: KeptRun['dataset'], b: KeptRun['dataset']) =>
  a.source === b.source && a.images === b.images && a.classes === b.classes;
const sameConfig = (a: IJepaConfig, b: IJepaConfig) => JSON.stringify(a) === JSON.stringify(b);

function current(): Experiment | null {
  return useExperiment.getState().experiment;
}

function update(patch: Partial<Experiment> | null): void {
  const experiment = patch === null ? null : { ...current()!, ...patch };
  useExperiment.setState({ experiment });
  try {
    if (experiment) storage?.setItem(STORAGE_KEY, JSON.stringify(experiment));
    else storage?.removeItem(STORAGE_KEY);
  } catch {
    // storage refused: the experiment lasts this visit
  }
}

/** One transition after another (a status event may arrive while a variant is being started). */
function serially(step: () => Promise<void>): Promise<void> {
  pending++;
  queue = queue
    .then(step)
    .catch((error: unknown) => {
      if (current()) update({ state: 'stopped', note: `Stopped: ${error instanceof Error ? error.message : String(error)}` });
    })
    .finally(() => pending--);
  return queue;
}

/** Connects the queue to the page and reads back an experiment kept from an earlier visit. */
export function attachExperiments(pageDriver: ExperimentDriver, store: Storage | null): void {
  driver = pageDriver;
  storage = store;
  awaitingEvaluationOf = null;
  driving = false;
  try {
    const text = store?.getItem(STORAGE_KEY);
    if (text) useExperiment.setState({ experiment: JSON.parse(text) as Experiment });
  } catch {
    useExperiment.setState({ experiment: null });
  }
}

const need = () => {
  if (!driver) throw new Error('the trainer is not running');
  return driver;
};

/** Is the page's run the current variant's (its settings, its data)? */
function isVariantRun(experiment: Experiment): boolean {
  const page = need().page();
  return (
    sameConfig(page.config, variantConfig(experiment.base, experiment.variants[experiment.index])) &&
    sameDataset(page.dataset, experiment.dataset)
  );
}

/** The current variant from its first step (training at once unless the experiment is paused). */
async function startVariant(experiment: Experiment): Promise<void> {
  const d = need();
  const variant = experiment.variants[experiment.index];
  driving = true;
  await d.reset(); // the page's run is kept as it is; the variant starts a new one
  d.nameNextRun(variantRunName(experiment, variant));
  await d.configure(experiment.preset, experiment.recipe, variantConfig(experiment.base, variant));
  await d.setEvalEvery(experiment.evalEvery);
  if (!current()!.paused) await d.train();
}

/** Queues the variants and starts the first (throws, naming it, when a variant's settings are invalid). */
export function startExperiment(setup: ExperimentSetup): Promise<void> {
  const experiment = newExperiment(setup, crypto.randomUUID());
  return serially(async () => {
    awaitingEvaluationOf = null;
    update(experiment);
    await startVariant(current()!);
  });
}

/** Pauses the current variant's run; a variant that starts meanwhile waits for Resume. */
export function pauseExperiment(): Promise<void> {
  if (current()?.state === 'running') update({ paused: true });
  return serially(async () => void (await need().pause()));
}

/** Goes on: the variant's run where it paused, or the variant again (its run was reset or replaced
 *  meanwhile: from its autosave, else from its first step). */
export function resumeExperiment(): Promise<void> {
  return serially(async () => {
    const experiment = current();
    if (!experiment || experiment.state !== 'running') return;
    update({ paused: false, note: '' });
    const page = need().page();
    if (driving && isVariantRun(experiment) && page.status.step > 0) {
      if (page.status.phase === 'done') await variantDone();
      else await need().train();
      return;
    }
    driving = false;
    await goOn(current()!);
  });
}

/** Stops after the current variant's run is paused; what was trained stays kept and listed. */
export function stopExperiment(): Promise<void> {
  return serially(async () => {
    awaitingEvaluationOf = null;
    if (current()?.state === 'running') {
      await need().pause();
      update({ state: 'stopped', note: 'Stopped.' });
    }
  });
}

/** Takes the experiment's table off the page (its runs stay kept). */
export function dismissExperiment(): void {
  awaitingEvaluationOf = null;
  update(null);
}

/** The current variant's run finished: evaluated at its last step (if the evaluations did not fall
 *  there), then the next variant, or the experiment is done. */
async function variantDone(): Promise<void> {
  const experiment = current()!;
  const d = need();
  const page = d.page();
  const runIds = experiment.runIds.map((id, i) => (i === experiment.index ? d.keptRunId() : id));
  update({ runIds });
  if (page.lastEvaluatedStep !== page.status.step) {
    if (experiment.evalEvery > 0 && page.status.step % experiment.evalEvery === 0) {
      awaitingEvaluationOf = page.status.step; // due at this step: the worker is making it
      return;
    }
    await d.evaluateNow();
  }
  await nextVariant();
}

async function nextVariant(): Promise<void> {
  const experiment = current()!;
  const index = experiment.index + 1;
  if (index >= experiment.variants.length) {
    update({ index, state: 'done', note: '' });
    return;
  }
  update({ index });
  await startVariant(current()!);
}

/** The page's run changed phase. */
export function experimentStatus(status: RunStatus, previous: RunStatus['phase']): void {
  const experiment = current();
  if (!driver || !experiment || experiment.state !== 'running' || status.phase === previous) return;
  if (status.phase === 'paused' || status.phase === 'training') update({ paused: status.phase === 'paused' });
  if (status.phase === 'error') update({ state: 'stopped', note: `Stopped: the run failed (${status.message}).` });
  if (status.phase !== 'done') return;
  void serially(async () => {
    const now = current();
    if (!now || now.state !== 'running' || !driving) return;
    if (!isVariantRun(now))
      update({
        state: 'stopped',
        note: "Stopped: the run that finished was not the experiment's (its settings or its data were changed).",
      });
    else await variantDone();
  });
}

/** An evaluation of the page's run arrived. */
export function experimentEvaluated(step: number): void {
  if (awaitingEvaluationOf === null || step !== awaitingEvaluationOf) return;
  awaitingEvaluationOf = null;
  void serially(nextVariant);
}

/** A new trainer (a reload, or a restart after a crash): the run it had is gone. */
export function experimentTrainerStarted(): Promise<void> {
  driving = false;
  awaitingEvaluationOf = null;
  return experimentMayContinue();
}

/** The trainer is up, or the data changed: a running experiment that this page is not driving yet goes
 *  on (./experimentQueue's goOn). */
export function experimentMayContinue(): Promise<void> {
  return serially(async () => {
    const experiment = current();
    if (driver && experiment?.state === 'running' && !driving) await goOn(experiment);
  });
}

/** Once the page has the experiment's data: the variant from its autosaved run where there is one,
 *  else from its first step. */
async function goOn(experiment: Experiment): Promise<void> {
  const d = need();
  const page = d.page();
  if (!sameDataset(page.dataset, experiment.dataset)) {
    const { source, images } = experiment.dataset;
    update({ note: `Waiting for its data: ${images} images (${source}). Load the same images again to go on.` });
    return;
  }
  update({ note: '' });
  const variant = variantConfig(experiment.base, experiment.variants[experiment.index]);
  if (page.savedRun && sameConfig(page.savedRun.config, variant) && page.savedRun.step > 0) {
    driving = true;
    const phase = await d.resumeSavedRun();
    if (phase === 'done') await variantDone();
    else if (phase === null) await startVariant(experiment);
    else if (!current()!.paused) await d.train();
  } else await startVariant(experiment);
}

/** Resolves when every transition asked for so far is done (tests). */
export const experimentsSettled = () => queue;
/** Is a transition (a variant starting, ending or resuming) under way? (tests) */
export const experimentBusy = () => pending > 0;
