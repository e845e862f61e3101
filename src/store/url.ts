// Settings live in the URL so a setup can be shared by link: the preset name plus every field
// that differs from it (e.g. "?preset=tiny&lr=0.002&batchSize=32").
import { PRESETS, type IJepaConfig, type PresetName } from '../ijepa/config';
import { validateConfig } from '../ijepa/validate';
import { BACKEND_ORDER, type BackendName } from '../worker/protocol';

const isPreset = (name: string | null): name is PresetName => name !== null && name in PRESETS;

export function configToQuery(preset: PresetName, config: IJepaConfig): string {
  const params = new URLSearchParams({ preset });
  const base = PRESETS[preset];
  for (const key of Object.keys(config) as (keyof IJepaConfig)[]) {
    const value = config[key];
    if (JSON.stringify(value) === JSON.stringify(base[key])) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params.toString();
}

export interface ParsedQuery {
  preset: PresetName;
  config: IJepaConfig;
  problems: string[]; // settings from the link that were ignored, and why
}

/** Reads settings from a query string; unknown keys and impossible values are ignored and reported. */
export function queryToConfig(search: string, fallback: PresetName = 'tiny'): ParsedQuery {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const presetParam = params.get('preset');
  if (presetParam !== null && !isPreset(presetParam)) problems.push(`unknown preset "${presetParam}"`);
  const preset = isPreset(presetParam) ? presetParam : fallback;
  const base = PRESETS[preset];
  const config: IJepaConfig = { ...base };
  for (const [key, raw] of params) {
    if (key === 'preset' || !(key in base)) continue;
    const k = key as keyof IJepaConfig;
    const current = base[k];
    let value: unknown;
    if (typeof current === 'number') value = Number(raw);
    else if (typeof current === 'boolean') value = raw === 'true' ? true : raw === 'false' ? false : undefined;
    else if (Array.isArray(current)) value = raw.split(',').map(Number);
    else value = raw;
    const ok = value !== undefined && (typeof current !== 'number' || Number.isFinite(value)) &&
      (!Array.isArray(current) || ((value as number[]).length === 2 && (value as number[]).every(Number.isFinite)));
    if (!ok) problems.push(`${key}=${raw} is not a valid value`);
    else (config as unknown as Record<string, unknown>)[k] = value;
  }
  const invalid = validateConfig(config);
  if (invalid.length > 0) return { preset, config: { ...base }, problems: [...problems, ...invalid, `using the ${preset} preset instead`] };
  return { preset, config, problems };
}

/** What the link says about where to run, beside the settings: `backend=` (wins over the startup
 *  measurement), `wasmThreads=` (1: the single-threaded WASM binary's speed), and whether it names a
 *  preset (then the measured default preset does not apply). */
export interface RunOverrides {
  backend: BackendName | null;
  wasmThreads: number | undefined;
  decoders: number | undefined;
  presetFromLink: boolean;
}

const positiveInteger = (raw: string | null) => {
  const value = Number(raw);
  return raw !== null && Number.isInteger(value) && value > 0 ? value : undefined;
};

export function runOverrides(search: string): RunOverrides {
  const params = new URLSearchParams(search);
  const backend = params.get('backend');
  return {
    backend: backend !== null && (BACKEND_ORDER as readonly string[]).includes(backend) ? (backend as BackendName) : null,
    wasmThreads: positiveInteger(params.get('wasmThreads')),
    decoders: positiveInteger(params.get('decoders')),
    presetFromLink: isPreset(params.get('preset')),
  };
}

/** Link parameters that are not settings, kept when the settings rewrite the URL. */
export const RUN_PARAMS = ['backend', 'wasmThreads', 'decoders', 'evalEvery', 'testHooks'] as const;
