// The autosaved run in IndexedDB (through idb): one checkpoint (safetensors bytes with the metric
// history) and a small summary for the "resume where you were" offer after a reload; beside it, the
// raw pixels' figures of each set of images evaluated (../evaluation/pixelCache.ts).
import { openDB, type IDBPDatabase } from 'idb';
import type { PixelBaseline, SavedRunSummary } from '../protocol';
import type { PixelBaselineCache } from '../evaluation/pixelCache';

export interface RunStorage extends PixelBaselineCache {
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
    getPixelBaseline: async (key) => ((await (await open()).get(STORE, key)) as PixelBaseline | undefined) ?? null,
    putPixelBaseline: async (key, value) => void (await (await open()).put(STORE, value, key)),
  };
}

/** For tests (and browsers without IndexedDB): the same contract in memory. */
export function memoryStorage(): RunStorage {
  let saved: { bytes: Uint8Array; summary: SavedRunSummary } | null = null;
  const pixels = new Map<string, PixelBaseline>();
  return {
    save: async (bytes, summary) => void (saved = { bytes: bytes.slice(), summary }),
    load: async () => saved,
    summary: async () => saved?.summary ?? null,
    clear: async () => void (saved = null),
    getPixelBaseline: async (key) => pixels.get(key) ?? null,
    putPixelBaseline: async (key, value) => void pixels.set(key, value),
  };
}
