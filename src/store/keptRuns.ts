// Which kept run the page's run is, and when it is written to the run library (./runLibrary.ts):
// at every evaluation, when the run pauses, ends or fails, every WRITE_EVERY_MS while it trains, and
// a last time when it is reset. A reload that resumes the autosaved run continues the same kept run.
import { create } from 'zustand';
import { useAppStore } from './appStore';
import { download } from './download';
import { localStore } from './localStore';
import { runHistory } from './metrics';
import { MAX_RUN_FILE_BYTES, readRunFile, runFileName, runFileText } from './runFile';
import {
  datasetOf,
  identityOf,
  indexedDbLibrary,
  keptRunOf,
  MAX_KEPT_CHECKPOINT_BYTES,
  memoryLibrary,
  type KeptRun,
  type RunIdentity,
  type RunLibrary,
  type RunSettings,
} from './runLibrary';

interface LibraryState {
  runs: KeptRun[]; // newest first
  usage: { used: number; quota: number } | null; // this origin's storage, as the browser estimates it
  note: string; // the last write's trouble ('' when none)
}

export const useRunLibrary = create<LibraryState>(() => ({ runs: [], usage: null, note: '' }));

const WRITE_EVERY_MS = 15_000;
const CURRENT_KEY = 'ijepa-playground-kept-run'; // the autosaved run's kept identity, across a reload

let library: RunLibrary = memoryLibrary();
let current: RunIdentity | null = null;
let deleted = false; // the page's run was deleted from the list while it trains: it stays deleted
let nextName: string | null = null; // the name of the next run to start (an experiment's variant)
let lastWrite = 0;
let writes: Promise<void> = Promise.resolve(); // one at a time, in order

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

const browserLibrary = () => (typeof indexedDB === 'undefined' ? memoryLibrary() : indexedDbLibrary());

/** Opens the browser's library (memory where IndexedDB is missing) and lists it. */
export async function openRunLibrary(open: () => RunLibrary = browserLibrary): Promise<void> {
  try {
    library = open();
    await refreshRuns();
  } catch (error) {
    library = memoryLibrary();
    useRunLibrary.setState({ note: `Runs are kept for this visit only: ${message(error)}` });
  }
}

async function refreshRuns(): Promise<void> {
  useRunLibrary.setState({ runs: await library.list() });
  await refreshUsage();
}

async function refreshUsage(): Promise<void> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => null); // absent in Node and some browsers
  useRunLibrary.setState({ usage: estimate ? { used: estimate.usage ?? 0, quota: estimate.quota ?? 0 } : null });
}

/** What a change did to the library: a run written whole, a run removed, or nothing. */
type Written = { put: KeptRun } | { removed: string } | null;

/** The listed runs after `written`, without reading the library again (newest first). */
function listAfter(runs: KeptRun[], written: Written): KeptRun[] {
  if (!written) return runs;
  const others = runs.filter((r) => r.id !== ('put' in written ? written.put.id : written.removed));
  return 'put' in written ? [written.put, ...others].sort((a, b) => b.createdAt - a.createdAt) : others;
}

const settingsOf = ({ preset, recipe, config }: RunSettings): RunSettings => ({ preset, recipe, config });

let lastCreatedAt = 0;

/** Writes the page's run (throttled unless `now`); nothing before its first step. */
export function keepRun(now = false): void {
  const state = useAppStore.getState();
  if (deleted || state.status.step === 0 || runHistory.series.step.length === 0) return;
  if (!current) {
    lastCreatedAt = Math.max(Date.now(), lastCreatedAt + 1); // two runs begun within a millisecond keep their order in the list
    current = {
      id: crypto.randomUUID(),
      name: nextName,
      createdAt: lastCreatedAt,
      dataset: datasetOf(state.dataset),
      settings: settingsOf(state),
    };
    nextName = null;
    localStore()?.setItem(CURRENT_KEY, JSON.stringify(current));
  }
  if (!now && Date.now() - lastWrite < WRITE_EVERY_MS) return;
  lastWrite = Date.now();
  const run = keptRunOf({ ...state, backend: state.backend?.name ?? null }, runHistory, current, Date.now()); // copied now: the history moves on
  void change(async (into) => (await into.put(run), { put: run }));
}

/** Queues a change to the library open now (a restart opens it again), after every change before it;
 *  what went wrong, if anything, becomes the panel's note. */
function change(apply: (into: RunLibrary) => Promise<Written>): Promise<void> {
  const into = library;
  writes = writes.then(async () => {
    try {
      const written = await apply(into);
      if (into === library) useRunLibrary.setState((s) => ({ note: '', runs: listAfter(s.runs, written) })); // the listed library
      await refreshUsage();
    } catch (error) {
      useRunLibrary.setState({ note: message(error) });
    }
  });
  return writes;
}

/** The next run the page starts is kept under this name (not the default one). */
export function nameNextRun(name: string): void {
  nextName = name;
}

/** The page's kept run (null before its first step). */
export const keptRunId = (): string | null => (deleted ? null : (current?.id ?? null));

/** The run is over (reset, or a new worker): written a last time; the next run is a new kept run. */
export function endRun(): void {
  keepRun(true);
  // a page that never had a run keeps the stored identity: a reload may yet resume the autosaved run
  if (current || deleted) localStore()?.removeItem(CURRENT_KEY);
  current = null;
  deleted = false;
}

let restoring: 'autosave' | 'import' | RunIdentity = 'import';
/** What the next restored run is: the autosave (it continues its kept run), an imported checkpoint (a
 *  new one), or a kept run resumed from the list (it continues itself). */
export function beforeRestore(kind: 'autosave' | 'import' | RunIdentity): void {
  restoring = kind;
}

/** A run is about to replace the page's (call before it does): the page's run is kept as it was;
 *  `settings` are the restored run's. */
export function restoringRun(settings: RunSettings): void {
  let saved: RunIdentity | null = typeof restoring === 'object' ? restoring : null;
  try {
    const text = restoring === 'autosave' ? localStore()?.getItem(CURRENT_KEY) : null;
    if (text) saved = JSON.parse(text) as RunIdentity;
  } catch {
    saved = null;
  }
  restoring = 'import';
  endRun();
  if (saved) {
    current = { ...saved, settings: settingsOf(settings) };
    localStore()?.setItem(CURRENT_KEY, JSON.stringify(current));
  }
}

/** A kept run's name or notes, edited (also while it trains: its later writes keep them). */
export function editRun(id: string, edit: { name: string } | { notes: string }): void {
  if (current?.id === id) {
    Object.assign(current, edit);
    localStore()?.setItem(CURRENT_KEY, JSON.stringify(current));
  }
  void change(async (into) => {
    const run = await into.get(id); // as last written, not as last listed
    if (!run) return null;
    const edited = { ...run, ...edit };
    await into.put(edited);
    return { put: edited };
  });
}

export function deleteRun(id: string): void {
  if (current?.id === id) {
    deleted = true;
    localStore()?.removeItem(CURRENT_KEY); // a reload that resumes the autosave must not bring it back
  }
  void change(async (into) => (await into.remove(id), { removed: id }));
}

/** Keeps the page's run's checkpoint (`bytes`: the worker's, at this step) so that it can be resumed
 *  from the list; one too large for the library is not kept (export it instead). */
export async function keepCheckpoint(bytes: () => Promise<Uint8Array | undefined>): Promise<void> {
  const run = current;
  if (!run || deleted) return;
  const step = useAppStore.getState().status.step;
  const checkpoint = await bytes(); // the run's even if it was reset meanwhile: the worker answers in order
  if (!checkpoint || checkpoint.byteLength > MAX_KEPT_CHECKPOINT_BYTES) return;
  await change(async (into) => {
    await into.putCheckpoint(run.id, checkpoint);
    run.checkpointStep = step; // later writes of the run carry it
    const kept = await into.get(run.id);
    if (!kept) return null;
    const withCheckpoint = { ...kept, checkpointStep: step };
    await into.put(withCheckpoint);
    return { put: withCheckpoint };
  });
  if (current === run) localStore()?.setItem(CURRENT_KEY, JSON.stringify(run));
}

/** Continues a kept run from its checkpoint (`restore`: the worker's restore of those bytes). */
export async function resumeKeptRun(run: KeptRun, restore: (bytes: Uint8Array) => Promise<unknown>): Promise<void> {
  const bytes = await library.checkpoint(run.id);
  if (!bytes) {
    useRunLibrary.setState({ note: `${run.name} has no checkpoint kept: it can be compared, not resumed.` });
    return;
  }
  beforeRestore(identityOf(run));
  try {
    await restore(bytes);
  } finally {
    beforeRestore('import'); // a restore that failed leaves nothing to adopt
  }
}

/** Saves a kept run as one file (./runFile.ts). */
export function exportRun(run: KeptRun): void {
  download(runFileText(run), runFileName(run), 'application/json');
}

/** Adds the run a file holds to the list (the same run imported again replaces itself); a file that
 *  is not one is named, and nothing changes. */
export async function importRunFile(file: { name: string; size: number; text(): Promise<string> }): Promise<void> {
  let run: KeptRun;
  try {
    if (file.size > MAX_RUN_FILE_BYTES) throw new Error(`it is ${Math.round(file.size / 2 ** 20)} MB, more than a run file holds`);
    run = readRunFile(await file.text());
  } catch (error) {
    useRunLibrary.setState({ note: `${file.name} was not imported: ${message(error)}.` });
    return;
  }
  await change(async (into) => (await into.put(run), { put: run }));
}

/** Resolves when every write asked for so far has landed (tests). */
export const runLibrarySettled = () => writes;
