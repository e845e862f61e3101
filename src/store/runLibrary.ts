// Every run, kept: its settings, its dataset, its full metric history and its evaluations, in
// IndexedDB (through idb, as the autosave), listed on the page (src/ui/RunsPanel.tsx) the way
// TensorBoard and W&B list runs. A kept run is written whole each time, so a failed write (the
// browser's quota reached) leaves every run as it was, and says so.
import { openDB, type IDBPDatabase } from 'idb';
import type { IJepaConfig, PresetName } from '../ijepa/config';
import type { EvalRecord } from '../ijepa/diagnostics';
import type { RecipeName } from '../ijepa/recipe';
import { STEP_FIELDS, type DatasetSummary, type QualityUpdate, type RunStatus } from '../worker/protocol';
import type { RunHistory } from './metrics';

export interface KeptRun {
  id: string;
  name: string; // editable
  notes?: string; // editable ('' or absent: none)
  createdAt: number; // ms since the epoch
  updatedAt: number;
  dataset: { source: DatasetSummary['source']; images: number; classes: number };
  preset: PresetName;
  recipe: RecipeName;
  config: IJepaConfig;
  backend: string | null;
  step: number; // completed steps
  totalSteps: number;
  phase: RunStatus['phase'];
  history: Record<(typeof STEP_FIELDS)[number], number[]>; // one value per step
  evaluations: EvalRecord[];
  baseline: EvalRecord | null; // the random-init encoder's
  checkpointStep?: number; // the step of its kept checkpoint (absent: none kept), which resumes it
}

/** What a run trains with (fixed from its first step). */
export type RunSettings = Pick<KeptRun, 'preset' | 'recipe' | 'config'>;

/** What stays fixed for a run from its first kept step: which run it is, its settings and the data it
 *  trains on (by the time the run is written last, after a reset, the page may show other settings
 *  and another dataset). */
export interface RunIdentity {
  id: string;
  name: string | null; // null: the default name
  notes?: string;
  createdAt: number;
  dataset: KeptRun['dataset'];
  settings: RunSettings;
  checkpointStep?: number; // the step of the checkpoint kept for it
}

/** The identity of a kept run (to continue it). */
export const identityOf = (run: KeptRun): RunIdentity => ({
  id: run.id,
  name: run.name,
  notes: run.notes,
  createdAt: run.createdAt,
  dataset: run.dataset,
  settings: { preset: run.preset, recipe: run.recipe, config: run.config },
  checkpointStep: run.checkpointStep,
});

export function datasetOf(summary: DatasetSummary | null): KeptRun['dataset'] {
  return { source: summary?.source ?? 'empty', images: summary?.count ?? 0, classes: summary?.classes.length ?? 0 };
}

/** What a kept run is called until it is renamed: what differs between runs most often. */
function defaultRunName(run: Pick<KeptRun, 'preset' | 'recipe' | 'config' | 'dataset'>): string {
  const masks = run.config.maskStrategy === 'multiblock' ? '' : ` · ${run.config.maskStrategy} masks`;
  const target = run.config.predictionTarget === 'pixels' ? ' · pixel targets' : '';
  return `${run.preset} · ${run.recipe}${masks}${target} · ${run.dataset.source}`;
}

/** The page's run as a kept run (the history copied out of its growable arrays). */
export function keptRunOf(
  state: {
    status: RunStatus;
    quality: QualityUpdate[];
    backend: string | null;
  },
  history: RunHistory,
  identity: RunIdentity,
  now: number,
): KeptRun {
  const run = {
    id: identity.id,
    createdAt: identity.createdAt,
    updatedAt: now,
    dataset: identity.dataset,
    ...identity.settings,
    backend: state.backend,
    step: state.status.step,
    totalSteps: state.status.totalSteps,
    phase: state.status.phase,
    history: Object.fromEntries(STEP_FIELDS.map((f) => [f, Array.from(history.series[f].values())])) as KeptRun['history'],
    evaluations: state.quality.map((q) => q.record),
    baseline: state.quality[0]?.baseline ?? null,
    ...(identity.checkpointStep !== undefined && { checkpointStep: identity.checkpointStep }),
    ...(identity.notes && { notes: identity.notes }),
  };
  return { ...run, name: identity.name ?? defaultRunName(run) };
}

/** The newest evaluation's figures beside the random init's (null: none yet, or no labels). */
export function lastFigures(run: KeptRun): { knn: number; probe: number; knnRandom: number; probeRandom: number } | null {
  const last = run.evaluations[run.evaluations.length - 1];
  const base = run.baseline;
  if (!last || !base || last.knn === null || last.probeTest === null || base.knn === null || base.probeTest === null) return null;
  return { knn: last.knn, probe: last.probeTest, knnRandom: base.knn, probeRandom: base.probeTest };
}

export interface RunLibrary {
  list(): Promise<KeptRun[]>; // newest first
  get(id: string): Promise<KeptRun | null>; // as last written
  put(run: KeptRun): Promise<void>; // throws LibraryFullError when the browser's quota is reached
  remove(id: string): Promise<void>; // the run and its checkpoint
  putCheckpoint(id: string, bytes: Uint8Array): Promise<void>; // kept apart: the list never reads them
  checkpoint(id: string): Promise<Uint8Array | null>;
}

/** A run's checkpoint is kept when it is no larger than this (micro to small with their optimizer
 *  state; vit_tiny's 66 MB is not: export it instead). */
export const MAX_KEPT_CHECKPOINT_BYTES = 32 * 1024 * 1024;

export class LibraryFullError extends Error {
  constructor() {
    super(
      "The browser's storage for this page is full: the run's latest numbers were not kept (every kept run is as it was). Delete a kept run to make room.",
    );
    this.name = 'LibraryFullError';
  }
}

const isQuotaError = (error: unknown) =>
  error instanceof DOMException && (error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED');

/** `library` with its quota errors turned into a LibraryFullError (a write either lands whole or not at all). */
export function withQuotaMessage(library: RunLibrary): RunLibrary {
  const guarded =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await write(...args);
      } catch (error) {
        throw isQuotaError(error) ? new LibraryFullError() : error;
      }
    };
  return { ...library, put: guarded(library.put), putCheckpoint: guarded(library.putCheckpoint) };
}

const DB_NAME = 'ijepa-playground-library'; // apart from the autosave's database: its own versions
const STORE = 'runs';
const CHECKPOINTS = 'checkpoints';

export function indexedDbLibrary(): RunLibrary {
  let db: Promise<IDBPDatabase> | null = null;
  const open = () =>
    (db ??= openDB(DB_NAME, 1, {
      upgrade: (d) => {
        d.createObjectStore(STORE, { keyPath: 'id' });
        d.createObjectStore(CHECKPOINTS);
      },
    }));
  return withQuotaMessage({
    list: async () => ((await (await open()).getAll(STORE)) as KeptRun[]).sort((a, b) => b.createdAt - a.createdAt),
    get: async (id) => ((await (await open()).get(STORE, id)) as KeptRun | undefined) ?? null,
    put: async (run) => void (await (await open()).put(STORE, run)),
    remove: async (id) => {
      const tx = (await open()).transaction([STORE, CHECKPOINTS], 'readwrite');
      await Promise.all([tx.objectStore(STORE).delete(id), tx.objectStore(CHECKPOINTS).delete(id), tx.done]);
    },
    putCheckpoint: async (id, bytes) => void (await (await open()).put(CHECKPOINTS, bytes, id)),
    checkpoint: async (id) => ((await (await open()).get(CHECKPOINTS, id)) as Uint8Array | undefined) ?? null,
  });
}

/** For tests (and browsers without IndexedDB): the same contract in memory. */
export function memoryLibrary(): RunLibrary {
  const runs = new Map<string, KeptRun>();
  const checkpoints = new Map<string, Uint8Array>();
  return {
    list: async () => [...runs.values()].map((r) => structuredClone(r)).sort((a, b) => b.createdAt - a.createdAt),
    get: async (id) => (runs.has(id) ? structuredClone(runs.get(id)!) : null),
    put: async (run) => void runs.set(run.id, structuredClone(run)),
    remove: async (id) => void (runs.delete(id), checkpoints.delete(id)),
    putCheckpoint: async (id, bytes) => void checkpoints.set(id, bytes.slice()),
    checkpoint: async (id) => checkpoints.get(id)?.slice() ?? null,
  };
}
