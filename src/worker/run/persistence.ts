// The autosaved run in IndexedDB (through idb): one checkpoint (safetensors bytes with the metric
// history) and a small summary for the "resume where you were" offer after a reload.
import { openDB, type IDBPDatabase } from 'idb';
import type { SavedRunSummary } from '../protocol';

export interface RunStorage {
  save(bytes: Uint8Array, summary: SavedRunSummary): Promise<void>;
  load(): Promise<{ bytes: Uint8Array; summary: SavedRunSummary } | null>;
  summary(): Promise<SavedRunSummary | null>;
  clear(): Promise<void>;
}

const DB_NAME = 'ijepa-playground';
const STORE = 'runs';
const KEY = 'autosave';
const SUMMARY_KEY = 'autosave-summary'; // read on every page load: kept apart from the bytes

export function indexedDbStorage(): RunStorage {
  let db: Promise<IDBPDatabase> | null = null;
  const open = () => (db ??= openDB(DB_NAME, 1, { upgrade: (d) => void d.createObjectStore(STORE) }));
  return {
    save: async (bytes, summary) => {
      const tx = (await open()).transaction(STORE, 'readwrite');
      await Promise.all([tx.store.put(bytes, KEY), tx.store.put(summary, SUMMARY_KEY), tx.done]);
    },
    load: async () => {
      const d = await open();
      const [bytes, summary] = await Promise.all([d.get(STORE, KEY), d.get(STORE, SUMMARY_KEY)]);
      return bytes && summary ? { bytes: bytes as Uint8Array, summary: summary as SavedRunSummary } : null;
    },
    summary: async () => ((await (await open()).get(STORE, SUMMARY_KEY)) as SavedRunSummary | undefined) ?? null,
    clear: async () => {
      const tx = (await open()).transaction(STORE, 'readwrite');
      await Promise.all([tx.store.delete(KEY), tx.store.delete(SUMMARY_KEY), tx.done]);
    },
  };
}

/** For tests (and browsers without IndexedDB): the same contract in memory. */
export function memoryStorage(): RunStorage {
  let saved: { bytes: Uint8Array; summary: SavedRunSummary } | null = null;
  return {
    save: async (bytes, summary) => void (saved = { bytes: bytes.slice(), summary }),
    load: async () => saved,
    summary: async () => saved?.summary ?? null,
    clear: async () => void (saved = null),
  };
}
