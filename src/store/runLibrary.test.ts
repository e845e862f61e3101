// The run library: what a kept run holds, when it is written, and what a full quota does (a message;
// the kept runs as they were).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { presetConfig } from '../ijepa/config';
import type { EvalRecord } from '../ijepa/diagnostics';
import type { QualityUpdate, StepRecord } from '../worker/protocol';
import { useAppStore } from './appStore';
import {
  deleteRun,
  endRun,
  keepCheckpoint,
  keepRun,
  openRunLibrary,
  editRun,
  restoringRun,
  resumeKeptRun,
  runLibrarySettled,
  useRunLibrary,
} from './keptRuns';
import { runHistory } from './metrics';
import { LibraryFullError, lastFigures, MAX_KEPT_CHECKPOINT_BYTES, memoryLibrary, withQuotaMessage, type RunLibrary } from './runLibrary';

const record = (step: number): StepRecord => ({
  step,
  loss: 1 / (step + 1),
  lr: 1e-4,
  wd: 0.04,
  momentum: 0.996,
  stepMs: 10,
  wallMs: 10 * step,
});
const evaluation = (step: number, knn: number, probeTest: number): EvalRecord => ({
  step,
  knn,
  probeTrain: probeTest,
  probeTest,
  featureStd: 0.1,
  rankMe: 5,
  rankMeCentred: 5,
});
const quality = (step: number, knn: number, probe: number) =>
  ({ record: evaluation(step, knn, probe), baseline: evaluation(0, 0.3, 0.5) }) as unknown as QualityUpdate;

/** A memory library that refuses writes, as a browser does at its quota, while `full` is set. */
function quotaLibrary(): RunLibrary & { full: boolean } {
  const inner = memoryLibrary();
  const library = {
    full: false,
    list: () => inner.list(),
    get: (id: string) => inner.get(id),
    remove: (id: string) => inner.remove(id),
    checkpoint: (id: string) => inner.checkpoint(id),
    putCheckpoint: async (id: string, bytes: Uint8Array) => {
      if (library.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      await inner.putCheckpoint(id, bytes);
    },
    put: async (run: Parameters<RunLibrary['put']>[0]) => {
      if (library.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      await inner.put(run);
    },
  };
  return library;
}

/** The page's run at `steps` steps, on the digits. */
function trainTo(steps: number, from = 0): void {
  runHistory.append(
    Array.from({ length: steps - from }, (_, i) => record(from + i)),
    [],
  );
  useAppStore.setState({ status: { phase: 'paused', step: steps, totalSteps: 100, message: '', compileMs: null } });
}

/** localStorage for the page, in memory (Node has none), kept across a simulated reload. */
function stubLocalStorage(): void {
  const saved = new Map<string, string>();
  vi.stubGlobal('window', {
    localStorage: {
      getItem: (k: string) => saved.get(k) ?? null,
      setItem: (k: string, v: string) => void saved.set(k, v),
      removeItem: (k: string) => void saved.delete(k),
    },
  });
}

/** The page reloads over the same storage and `library`, the trainer starts, the autosaved run is
 *  resumed at `steps` steps and kept. */
async function reloadAndResumeAutosave(library: RunLibrary, steps: number): Promise<void> {
  vi.resetModules(); // fresh modules: nothing of the page before survives but the storage
  const page = await import('./keptRuns');
  const { useAppStore: store } = await import('./appStore');
  const { runHistory: history } = await import('./metrics');
  await page.openRunLibrary(() => withQuotaMessage(library));
  page.endRun(); // what starting the trainer does first (no run on the page yet)
  page.beforeRestore('autosave');
  page.restoringRun(store.getState());
  history.append(
    Array.from({ length: steps }, (_, i) => record(i)),
    [],
  );
  store.setState({ ...useAppStore.getState(), status: { phase: 'paused', step: steps, totalSteps: 100, message: '', compileMs: null } });
  page.keepRun(true);
  await page.runLibrarySettled();
}

describe('the run library', () => {
  let library: ReturnType<typeof quotaLibrary>;
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });
  beforeEach(async () => {
    endRun();
    runHistory.clear();
    library = quotaLibrary();
    await openRunLibrary(() => withQuotaMessage(library));
    useAppStore.setState({
      preset: 'micro',
      recipe: 'browser',
      config: presetConfig('micro'),
      quality: [],
      dataset: { count: 1800, side: 32, bytes: 0, classes: [], skipped: [], thumbnails: [], source: 'digits' },
    });
  });

  it('keeps a run whole from its first step: settings, data, every step, every evaluation', async () => {
    keepRun(true); // step 0: nothing to keep yet
    await runLibrarySettled();
    expect(useRunLibrary.getState().runs).toEqual([]);
    trainTo(3);
    useAppStore.setState({ quality: [quality(3, 0.42, 0.71)] });
    keepRun(true);
    await runLibrarySettled();
    const [run] = useRunLibrary.getState().runs;
    expect(run).toMatchObject({
      preset: 'micro',
      recipe: 'browser',
      step: 3,
      totalSteps: 100,
      dataset: { source: 'digits', images: 1800 },
    });
    expect(run.name).toBe('micro · browser · digits');
    expect(run.history.loss).toEqual([1, 1 / 2, 1 / 3]);
    expect(lastFigures(run)).toEqual({ knn: 0.42, probe: 0.71, knnRandom: 0.3, probeRandom: 0.5 });
    // the same run is written again, not added; a throttled write waits
    trainTo(5, 3);
    keepRun(true);
    keepRun(); // within WRITE_EVERY_MS of the last: skipped
    await runLibrarySettled();
    expect(useRunLibrary.getState().runs.map((r) => r.step)).toEqual([5]);
    // renamed and annotated, it keeps both when written again; after a reset the next run is a new one
    editRun(run.id, { name: 'my first run' });
    editRun(run.id, { notes: 'the baseline' });
    trainTo(6, 5);
    keepRun(true);
    endRun();
    runHistory.clear();
    useAppStore.setState({ config: presetConfig('micro', { maskStrategy: 'random' }), quality: [] });
    trainTo(2);
    keepRun(true);
    await runLibrarySettled();
    expect(useRunLibrary.getState().runs.map((r) => [r.name, r.notes, r.step])).toEqual([
      ['micro · browser · random masks · digits', undefined, 2],
      ['my first run', 'the baseline', 6],
    ]);
  });

  it("keeps the settings a run trained with, even when the page shows the next run's before the last write", async () => {
    trainTo(3);
    keepRun(true);
    // an experiment sets the next variant's settings while the worker's reset is still on its way
    useAppStore.setState({ preset: 'tiny', recipe: 'reference', config: presetConfig('tiny', { maskStrategy: 'block' }) });
    trainTo(4, 3);
    endRun(); // the reset: the run's last write
    await runLibrarySettled();
    const [run] = useRunLibrary.getState().runs;
    expect([run.step, run.preset, run.recipe, run.config]).toEqual([4, 'micro', 'browser', presetConfig('micro')]);
  });

  it('a full quota is a message, and every kept run stays as it was', async () => {
    trainTo(3);
    keepRun(true);
    await runLibrarySettled();
    library.full = true;
    trainTo(8, 3);
    keepRun(true);
    await runLibrarySettled();
    expect(useRunLibrary.getState().note).toBe(new LibraryFullError().message);
    expect(useRunLibrary.getState().runs.map((r) => [r.step, r.history.step.length])).toEqual([[3, 3]]);
    // room again: the next write lands, and the message goes
    library.full = false;
    keepRun(true);
    await runLibrarySettled();
    expect(useRunLibrary.getState().note).toBe('');
    expect(useRunLibrary.getState().runs.map((r) => r.step)).toEqual([8]);
  });

  it('a reload that resumes the autosaved run continues its kept run', async () => {
    stubLocalStorage();
    trainTo(3);
    keepRun(true);
    await runLibrarySettled();
    await reloadAndResumeAutosave(library, 4);
    expect((await library.list()).map((r) => r.step)).toEqual([4]); // the same entry, moved on
  });

  it("keeps a paused run's checkpoint, and resuming it from the list continues the same entry", async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000); // both runs begun within one millisecond: still listed newest first
    trainTo(3);
    keepRun(true);
    await keepCheckpoint(async () => Uint8Array.from([1, 2, 3]));
    await runLibrarySettled();
    const [run] = useRunLibrary.getState().runs;
    expect(run.checkpointStep).toBe(3);
    expect(await library.checkpoint(run.id)).toEqual(Uint8Array.from([1, 2, 3]));
    // a checkpoint too large for the library is not kept
    trainTo(4, 3);
    await keepCheckpoint(async () => new Uint8Array(MAX_KEPT_CHECKPOINT_BYTES + 1));
    await runLibrarySettled();
    expect(useRunLibrary.getState().runs[0].checkpointStep).toBe(3);
    // another run, then the first resumed from the list: the worker gets its bytes, the entry continues
    endRun();
    runHistory.clear();
    trainTo(2);
    keepRun(true);
    await runLibrarySettled();
    const restored: Uint8Array[] = [];
    await resumeKeptRun(run, async (bytes) => {
      restored.push(bytes);
      restoringRun(useAppStore.getState()); // what the page does when the worker says the run is back
      runHistory.clear();
      trainTo(3);
    });
    expect(restored).toEqual([Uint8Array.from([1, 2, 3])]);
    trainTo(5, 3);
    keepRun(true);
    await runLibrarySettled();
    expect(useRunLibrary.getState().runs.map((r) => [r.id === run.id, r.step])).toEqual([
      [false, 2],
      [true, 5],
    ]);
  });

  it('a deleted run stays deleted after a reload that resumes the autosave', async () => {
    stubLocalStorage();
    trainTo(3);
    keepRun(true);
    await runLibrarySettled();
    const [deletedRun] = useRunLibrary.getState().runs;
    deleteRun(deletedRun.id);
    await runLibrarySettled();
    await reloadAndResumeAutosave(library, 3);
    expect((await library.list()).map((r) => r.id === deletedRun.id)).toEqual([false]); // kept anew, not brought back
  });

  it('a deleted run stays deleted, even while it trains on', async () => {
    trainTo(3);
    keepRun(true);
    await runLibrarySettled();
    deleteRun(useRunLibrary.getState().runs[0].id);
    trainTo(9, 3);
    keepRun(true);
    endRun();
    await runLibrarySettled();
    expect(useRunLibrary.getState().runs).toEqual([]);
    expect(await library.list()).toEqual([]);
  });
});
