// Which kept run the page's run is, and when it is written to the run library (./runLibrary.ts):
// at every evaluation, when the run pauses, ends or fails, every WRITE_EVERY_MS while it trains, and
// a last time when it is reset. A reload that resumes the autosaved run continues the same kept run.
import { create } from 'zustand';
import { useAppStore } from './appStore';
import { runHistory } from './metrics';
import { datasetOf, indexedDbLibrary, keptRunOf, memoryLibrary, type KeptRun, type RunIdentity, type RunLibrary } from './runLibrary';

export interface LibraryState {
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
let lastWrite = 0;
let writes: Promise<void> = Promise.resolve(); // one at a time, in order

function session(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const browserLibrary = () => (typeof indexedDB === 'undefined' ? memoryLibrary() : indexedDbLibrary());

/** Opens the browser's library (memory where IndexedDB is missing) and lists it. */
export async function openRunLibrary(open: () => RunLibrary = browserLibrary): Promise<void> {
  try {
    library = open();
    await refreshRuns();
  } catch (error) {
    library = memoryLibrary();
    useRunLibrary.setState({ note: `Runs are kept for this visit only: ${error instanceof Error ? error.message : String(error)}` });
  }
}

export async function refreshRuns(): Promise<void> {
  const runs = await library.list();
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => null); // absent in Node and some browsers
  useRunLibrary.setState({ runs, usage: estimate ? { used: estimate.usage ?? 0, quota: estimate.quota ?? 0 } : null });
}

/** Writes the page's run (throttled unless `now`); nothing before its first step. */
export function keepRun(now = false): void {
  const state = useAppStore.getState();
  if (deleted || state.status.step === 0 || runHistory.series.step.length === 0) return;
  if (!current) {
    current = { id: crypto.randomUUID(), name: null, createdAt: Date.now(), dataset: datasetOf(state.dataset) };
    session()?.setItem(CURRENT_KEY, JSON.stringify(current));
  }
  if (!now && Date.now() - lastWrite < WRITE_EVERY_MS) return;
  lastWrite = Date.now();
  const run = keptRunOf({ ...state, backend: state.backend?.name ?? null }, runHistory, current, Date.now()); // copied now: the history moves on
  const into = library; // the library open now (a restart opens it again)
  writes = writes.then(async () => {
    try {
      await into.put(run);
      useRunLibrary.setState({ note: '' });
      await refreshRuns();
    } catch (error) {
      useRunLibrary.setState({ note: error instanceof Error ? error.message : String(error) });
    }
  });
}

/** The run is over (reset, or a new worker): written a last time; the next run is a new kept run. */
export function endRun(): void {
  keepRun(true);
  // a page that never had a run keeps the stored identity: a reload may yet resume the autosaved run
  if (current || deleted) session()?.removeItem(CURRENT_KEY);
  current = null;
  deleted = false;
}

let restoring: 'autosave' | 'import' = 'import';
/** What the next restored run is: the autosave (it continues its kept run) or an imported checkpoint (a new one). */
export function beforeRestore(kind: 'autosave' | 'import'): void {
  restoring = kind;
}

/** A run is about to replace the page's (call before it does): the page's run is kept as it was. */
export function restoringRun(): void {
  let saved: RunIdentity | null = null;
  try {
    const text = restoring === 'autosave' ? session()?.getItem(CURRENT_KEY) : null;
    saved = text ? (JSON.parse(text) as RunIdentity) : null;
  } catch {
    saved = null;
  }
  restoring = 'import';
  endRun();
  if (saved) {
    current = saved;
    session()?.setItem(CURRENT_KEY, JSON.stringify(saved));
  }
}

export function renameRun(id: string, name: string): void {
  if (current?.id === id) {
    current.name = name;
    session()?.setItem(CURRENT_KEY, JSON.stringify(current));
  }
  const into = library;
  writes = writes.then(async () => {
    try {
      const run = (await into.list()).find((r) => r.id === id); // as last written, not as last listed
      if (run) await into.put({ ...run, name });
      await refreshRuns();
    } catch (error) {
      useRunLibrary.setState({ note: error instanceof Error ? error.message : String(error) });
    }
  });
}

export function deleteRun(id: string): void {
  if (current?.id === id) deleted = true;
  const into = library;
  writes = writes.then(async () => {
    await into.remove(id);
    await refreshRuns();
  });
}

/** Resolves when every write asked for so far has landed (tests). */
export const runLibrarySettled = () => writes;
