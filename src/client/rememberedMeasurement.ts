// The startup measurement, remembered per browser and machine (localStorage: a few hundred bytes),
// so that a return visit trains at once instead of measuring for ten seconds. It is keyed by what
// decides the figures: the browser (its user agent, with its version), the cores, cross-origin
// isolation (WASM threads), the GPU adapters by name, and the link's backend and thread choices. A
// different key, a month's age, or a Restart measures again.
import { PRESETS } from '../ijepa/config';
import type { GpuHints } from '../worker/backends/gpuAdapter';
import { BACKEND_ORDER } from '../worker/protocol';
import type { BackendMeasurement } from './backendChoice';

const STORAGE_KEY = 'ijepa-playground.measurement';
const FORMAT = 1; // bump when BackendMeasurement changes shape
export const REMEMBER_FOR_MS = 30 * 24 * 3600 * 1000;

/** What the figures depend on, as one string. */
export function machineKey(parts: {
  userAgent: string;
  cores: number;
  isolated: boolean;
  gpus: GpuHints;
  backend: string | null;
  wasmThreads: number | undefined;
}): string {
  const { userAgent, cores, isolated, gpus, backend, wasmThreads } = parts;
  return JSON.stringify([FORMAT, userAgent, cores, isolated, gpus.webgpu, gpus.webgl, gpus.adapters ?? '', backend, wasmThreads ?? null]);
}

/** A measurement as the page shows it, with when it was taken (remembered ones only). */
export type Measurement = BackendMeasurement & { rememberedFrom?: number };

interface Stored {
  key: string;
  at: number;
  measurement: BackendMeasurement;
}

const isMeasurement = (m: Partial<BackendMeasurement> | undefined): m is BackendMeasurement =>
  !!m &&
  Array.isArray(m.trials) &&
  Array.isArray(m.available) &&
  Array.isArray(m.presets) &&
  (BACKEND_ORDER as readonly unknown[]).includes(m.chosen) &&
  typeof m.defaultPreset === 'string' &&
  m.defaultPreset in PRESETS &&
  typeof m.elapsedMs === 'number';

/** The measurement remembered for `key`, if it is recent and whole (anything else is forgotten). A
 *  storage the browser refuses (private modes, storage off) recalls nothing. */
export function recallMeasurement(storage: Pick<Storage, 'getItem' | 'removeItem'>, key: string, now: number): Measurement | null {
  try {
    const stored = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as Partial<Stored> | null;
    if (!stored) return null;
    const fresh = typeof stored.at === 'number' && now - stored.at >= 0 && now - stored.at < REMEMBER_FOR_MS;
    if (stored.key === key && fresh && isMeasurement(stored.measurement)) return { ...stored.measurement, rememberedFrom: stored.at };
    storage.removeItem(STORAGE_KEY);
  } catch {
    // broken JSON or a refused storage: measure
  }
  return null;
}

/** Keeps `measurement` for `key`; a full or refused storage keeps nothing (the next visit measures). */
export function rememberMeasurement(storage: Pick<Storage, 'setItem'>, key: string, measurement: BackendMeasurement, now: number): void {
  const stored: Stored = { key, at: now, measurement };
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch {
    // not remembered
  }
}
