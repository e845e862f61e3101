// Settings live in the URL so a setup can be shared by link: the preset name plus every field
// that differs from it (e.g. "?preset=tiny&lr=0.002&batchSize=32").
import { PRESETS, type IJepaConfig, type PresetName } from '../ijepa/config';
import { validateConfig } from '../ijepa/validate';

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
