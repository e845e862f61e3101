// Everything the page reads from and writes to its URL, in one place. Settings live in the URL so a
// setup can be shared by link: the preset name plus every field that differs from it (e.g.
// "?preset=tiny&lr=0.002&batchSize=32"); beside them, where to run (backend=, wasmThreads=,
// decoders=), evalEvery=, testHooks=, and the `?bench` page mode's request.
import { PRESETS, type IJepaConfig, type PresetName } from '../ijepa/config';
import { RECIPES, recipeConfig, type RecipeName } from '../ijepa/recipe';
import { validateConfig } from '../ijepa/validate';
import { BACKEND_ORDER, BUILTIN_SETS, type BackendName, type BuiltinSet } from '../worker/protocol';
import { presetWithRecipe, useAppStore as store } from './appStore';

const isPreset = (name: string | null): name is PresetName => name !== null && name in PRESETS;
const isRecipe = (name: string | null): name is RecipeName => (RECIPES as readonly (string | null)[]).includes(name);
const DEFAULT_RECIPE: RecipeName = 'browser';

/** The preset, the recipe (when not the default) and every field that differs from the preset's
 *  released values: the link names the settings explicitly, so it reproduces them on any machine. */
export function configToQuery(preset: PresetName, config: IJepaConfig, recipe: RecipeName = DEFAULT_RECIPE): string {
  const params = new URLSearchParams({ preset });
  if (recipe !== DEFAULT_RECIPE) params.set('recipe', recipe);
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
  recipe: RecipeName;
  config: IJepaConfig;
  problems: string[]; // settings from the link that were ignored, and why
}

/** Reads settings from a query string: the preset under the recipe (`recipeBase`: with what the
 *  machine measured), then the fields the link names; unknown keys and impossible values are ignored
 *  and reported. */
export function queryToConfig(
  search: string,
  fallback: PresetName = 'tiny',
  recipeBase: (preset: PresetName, recipe: RecipeName) => IJepaConfig = (preset, recipe) =>
    recipeConfig(PRESETS[preset], recipe, { stepsPerSec: null }),
): ParsedQuery {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const presetParam = params.get('preset');
  if (presetParam !== null && !isPreset(presetParam)) problems.push(`unknown preset "${presetParam}"`);
  const preset = isPreset(presetParam) ? presetParam : fallback;
  const recipeParam = params.get('recipe');
  if (recipeParam !== null && !isRecipe(recipeParam)) problems.push(`unknown recipe "${recipeParam}"`);
  const recipe = isRecipe(recipeParam) ? recipeParam : DEFAULT_RECIPE;
  const base = recipeBase(preset, recipe);
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
    const ok =
      value !== undefined &&
      (typeof current !== 'number' || Number.isFinite(value)) &&
      (!Array.isArray(current) || ((value as number[]).length === 2 && (value as number[]).every(Number.isFinite)));
    if (!ok) problems.push(`${key}=${raw} is not a valid value`);
    else (config as unknown as Record<string, unknown>)[k] = value;
  }
  const invalid = validateConfig(config);
  if (invalid.length > 0)
    return { preset, recipe, config: { ...base }, problems: [...problems, ...invalid, `using the ${preset} preset instead`] };
  return { preset, recipe, config, problems };
}

/** What the link says about where to run, beside the settings: `backend=` (wins over the startup
 *  measurement), `wasmThreads=` (1: the single-threaded WASM binary's speed), and whether it names a
 *  preset (then the measured default preset does not apply). */
export interface RunOverrides {
  backend: BackendName | null;
  wasmThreads: number | undefined;
  decoders: number | undefined;
  dataset: BuiltinSet | undefined; // data=patterns|digits: the built-in set to open on
  predictorView: boolean; // predictorView=0: no predictor's view (to measure what it costs)
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
    dataset: BUILTIN_SETS.find((set) => set === params.get('data')),
    predictorView: params.get('predictorView') !== '0',
    presetFromLink: isPreset(params.get('preset')),
  };
}

/** Link parameters that are not settings, kept when the settings rewrite the URL. */
export const RUN_PARAMS = ['backend', 'wasmThreads', 'decoders', 'data', 'predictorView', 'evalEvery', 'testHooks'] as const;

/** The `?bench` page mode's own URL parameters (kept when the settings rewrite the URL). */
export const BENCH_PARAMS = ['bench', 'presets', 'backends', 'steps', 'warmup', 'budget', 'plain', 'autorun'] as const;

export const isBenchMode = (search: string) => new URLSearchParams(search).has('bench');

export interface BenchRequest {
  presets: PresetName[];
  backends: BackendName[];
  steps: number;
  warmup: number;
  budgetSec: number; // per measurement: a cell that takes longer is reported as over budget
  comparePlain: boolean; // also time the step with the plain tfjs ops (before the fused kernels)
}

/** The request in a `?bench` URL: presets=, backends=, steps=, warmup=, budget= (seconds), plain=0
 *  (skip the plain-ops comparison). */
export function benchRequestFromUrl(search: string, available: BackendName[]): BenchRequest {
  const params = new URLSearchParams(search);
  const list = (key: string) =>
    params
      .get(key)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const whole = (key: string, fallback: number, min: number) => {
    const value = Number(params.get(key));
    return params.has(key) && Number.isInteger(value) && value >= min ? value : fallback;
  };
  return {
    presets: (list('presets') ?? Object.keys(PRESETS)).filter((p): p is PresetName => p in PRESETS),
    backends: (list('backends') ?? available).filter((b): b is BackendName => available.includes(b as BackendName)),
    steps: whole('steps', 10, 1),
    warmup: whole('warmup', 2, 0),
    budgetSec: whole('budget', 600, 1),
    comparePlain: params.get('plain') !== '0',
  };
}

/** The settings in the link, on `fallbackPreset` when it names none (problems are reported once, on
 *  the first read). */
export function readSettingsFromUrl(fallbackPreset?: PresetName): void {
  const { measurement } = store.getState().startup;
  const parsed = queryToConfig(window.location.search, fallbackPreset, (preset, recipe) => presetWithRecipe(preset, recipe, measurement));
  store.setState({ preset: parsed.preset, recipe: parsed.recipe, config: parsed.config, configProblems: [] });
  const evalEvery = Number(new URLSearchParams(window.location.search).get('evalEvery') ?? Number.NaN);
  if (Number.isInteger(evalEvery) && evalEvery >= 0) store.setState({ evalEvery });
  if (!fallbackPreset) for (const problem of parsed.problems) store.getState().notify(`Link settings: ${problem}`);
}

/** The settings into the link, keeping its other parameters. */
export function writeUrl(preset: PresetName, config: IJepaConfig, recipe: RecipeName): void {
  const keep = new URLSearchParams(window.location.search);
  const next = new URLSearchParams(configToQuery(preset, config, recipe));
  for (const flag of [...RUN_PARAMS, ...BENCH_PARAMS]) if (keep.has(flag)) next.set(flag, keep.get(flag)!);
  window.history.replaceState(null, '', `${window.location.pathname}?${next.toString()}`);
}

export function setUrlParam(key: string, value: string): void {
  const params = new URLSearchParams(window.location.search);
  params.set(key, value);
  window.history.replaceState(null, '', `${window.location.pathname}?${params.toString()}`);
}
