// The experiment queue against a page stand-in: each variant trained from a fresh run with its own
// settings and name, evaluated at its last step, then the next; across a reload, from the variant's
// autosave (or its first step), once the page has the experiment's data.
import { beforeEach, describe, expect, it } from 'vitest';
import { PRESETS, type IJepaConfig } from '../ijepa/config';
import type { RunStatus, SavedRunSummary } from '../worker/protocol';
import {
  attachExperiments,
  experimentEvaluated,
  experimentMayContinue,
  experimentStatus,
  experimentsSettled,
  experimentTrainerStarted,
  pauseExperiment,
  resumeExperiment,
  startExperiment,
  useExperiment,
  type ExperimentDriver,
} from './experimentQueue';
import { PAPER_ABLATIONS, oneFieldVaried, type ExperimentSetup } from './experiments';
import type { KeptRun } from './runLibrary';

const DIGITS: KeptRun['dataset'] = { source: 'digits', images: 3000, classes: 10 };
const base: IJepaConfig = { ...PRESETS.micro, totalSteps: 5, warmupSteps: 1 };

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, v),
  };
}

/** The page as the queue sees it: a run that trains when told to and finishes when the test says. */
class FakePage implements ExperimentDriver {
  status: RunStatus = { phase: 'idle', step: 0, totalSteps: base.totalSteps, message: '', compileMs: null };
  config = base;
  dataset = DIGITS;
  evaluatedSteps: number[] = [];
  savedRun: SavedRunSummary | null = null;
  names: string[] = []; // the kept runs started, by name
  calls: string[] = [];
  evalEvery = 0;
  private pendingName: string | null = null;

  page = () => ({
    status: this.status,
    config: this.config,
    dataset: this.dataset,
    lastEvaluatedStep: this.evaluatedSteps.at(-1) ?? null,
    savedRun: this.savedRun,
  });
  private phase(phase: RunStatus['phase'], step = this.status.step): void {
    const previous = this.status.phase;
    this.status = { ...this.status, phase, step };
    experimentStatus(this.status, previous);
  }
  reset = async () => {
    this.calls.push('reset');
    this.evaluatedSteps = [];
    this.phase('idle', 0);
  };
  configure = async (_preset: unknown, _recipe: unknown, config: IJepaConfig) => {
    this.config = config;
    this.status = { ...this.status, totalSteps: config.totalSteps };
  };
  setEvalEvery = async (steps: number) => void (this.evalEvery = steps);
  train = async () => {
    this.calls.push('train');
    if (this.status.step === 0) this.names.push(this.pendingName ?? 'unnamed');
    this.pendingName = null;
    this.phase('training');
  };
  pause = async () => this.phase('paused');
  evaluateNow = async () => {
    this.calls.push('evaluate');
    this.evaluatedSteps.push(this.status.step);
  };
  resumeSavedRun = async () => {
    this.calls.push('resume');
    if (!this.savedRun) return null;
    this.config = this.savedRun.config;
    this.status = { ...this.status, step: this.savedRun.step, phase: 'paused', totalSteps: this.config.totalSteps };
    this.savedRun = null;
    return this.status.phase;
  };
  keptRunId = () => (this.status.step > 0 ? `run-${this.names.length}` : null);
  nameNextRun = (name: string) => void (this.pendingName = name);

  /** The run trains to its last step (the worker evaluates there when it is due). */
  async finish(): Promise<void> {
    this.phase('done', this.config.totalSteps);
    await experimentsSettled();
    if (this.evalEvery > 0 && this.status.step % this.evalEvery === 0) {
      this.evaluatedSteps.push(this.status.step);
      experimentEvaluated(this.status.step);
      await experimentsSettled();
    }
  }
}

const setup = (over: Partial<ExperimentSetup> = {}): ExperimentSetup => ({
  name: 'Ablations',
  preset: 'micro',
  recipe: 'browser',
  base,
  variants: PAPER_ABLATIONS,
  evalEvery: 0,
  dataset: DIGITS,
  ...over,
});

let page: FakePage;
let storage: Storage;
beforeEach(() => {
  page = new FakePage();
  storage = memoryStorage();
  attachExperiments(page, storage);
  useExperiment.setState({ experiment: null });
});

describe('an experiment', () => {
  it('trains every variant from a fresh run with its settings and name, each evaluated at its last step', async () => {
    await startExperiment(setup());
    const configs: IJepaConfig[] = [];
    for (let i = 0; i < PAPER_ABLATIONS.length; i++) {
      expect(useExperiment.getState().experiment!.index).toBe(i);
      expect(page.status.phase).toBe('training');
      configs.push(page.config);
      await page.finish();
    }
    const experiment = useExperiment.getState().experiment!;
    expect(experiment.state).toBe('done');
    expect(experiment.runIds).toEqual(['run-1', 'run-2', 'run-3', 'run-4', 'run-5']);
    expect(page.names).toEqual(PAPER_ABLATIONS.map((v) => `Ablations: ${v.label}`));
    expect(configs.map((c) => [c.maskStrategy, c.predictionTarget])).toEqual([
      ['multiblock', 'representations'],
      ['rasterized', 'representations'],
      ['block', 'representations'],
      ['random', 'representations'],
      ['multiblock', 'pixels'],
    ]);
    expect(configs.every((c) => c.seed === base.seed && c.totalSteps === base.totalSteps)).toBe(true);
    expect(page.calls.filter((c) => c === 'evaluate')).toHaveLength(5);
    expect(page.calls.filter((c) => c === 'reset')).toHaveLength(5);
  });

  it('waits for the evaluation the worker makes at the last step when one is due there, and makes none itself', async () => {
    await startExperiment(setup({ variants: oneFieldVaried('lr', [1e-4, 2e-4]), evalEvery: 5 }));
    await page.finish();
    await page.finish();
    expect(useExperiment.getState().experiment!.state).toBe('done');
    expect(page.calls).not.toContain('evaluate');
  });

  it('goes on after a reload: from the autosave of the variant it trained, paused if it was paused', async () => {
    await startExperiment(setup({ variants: oneFieldVaried('lr', [1e-4, 2e-4]) }));
    await page.finish(); // the first variant done; the second training
    await pauseExperiment();
    const second = page.config;
    // a reload: a new page, the same storage; the autosave holds the second variant at step 3
    page = new FakePage();
    page.savedRun = { step: 3, savedAt: '', config: second, datasetSource: 'digits', datasetCount: 3000 };
    attachExperiments(page, storage);
    expect(useExperiment.getState().experiment!.index).toBe(1);
    await experimentTrainerStarted();
    expect(page.calls).toEqual(['resume']); // restored, not trained: it was paused
    expect(page.status).toMatchObject({ step: 3, phase: 'paused' });
    await resumeExperiment();
    expect(page.status.phase).toBe('training');
    await page.finish();
    expect(useExperiment.getState().experiment!.state).toBe('done');
  });

  it('waits for its data after a reload, and starts the variant again where no autosave is its', async () => {
    await startExperiment(setup({ variants: oneFieldVaried('lr', [1e-4, 2e-4]) }));
    page = new FakePage();
    page.dataset = { source: 'patterns', images: 2000, classes: 8 };
    attachExperiments(page, storage);
    await experimentTrainerStarted();
    expect(useExperiment.getState().experiment!.note).toMatch(/Waiting for its data: 3000 images \(digits\)/);
    expect(page.calls).toEqual([]);
    page.dataset = DIGITS; // the person loads the same images again
    await experimentMayContinue();
    expect(useExperiment.getState().experiment!.note).toBe('');
    expect(page.calls).toEqual(['reset', 'train']);
    expect(page.config.lr).toBe(1e-4);
  });

  it('stops when the run that finished is not the variant it started', async () => {
    await startExperiment(setup({ variants: oneFieldVaried('lr', [1e-4, 2e-4]) }));
    page.config = { ...page.config, lr: 5e-4 }; // the person reset the run and trained other settings
    await page.finish();
    const experiment = useExperiment.getState().experiment!;
    expect(experiment.state).toBe('stopped');
    expect(experiment.note).toMatch(/not the experiment's/);
  });

  it('refuses variants whose settings are invalid, naming the first', async () => {
    expect(() => startExperiment(setup({ variants: oneFieldVaried('batchSize', [8, 0]) }))).toThrow(/^Batch size 0: /);
    expect(useExperiment.getState().experiment).toBeNull();
    expect(page.calls).toEqual([]);
  });
});
