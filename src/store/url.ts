// Everything the page reads from and writes to its URL, in one place. Settings live in the URL so a
// setup can be shared by link: the preset name plus every field that differs from it (e.g.
// "?preset=tiny&lr=0.002&batchSize=32"); beside them, where to run (backend=, wasmThreads=,
// decoders=), evalEvery=, testHooks=. (The `?bench` page mode reads its own: src/bench/url.ts.)
import { CONFIG_KEYS, PRESETS, type IJepaConfig, type PresetName } from '../ijepa/config';
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
  decoderView: boolean; // decoderView=0: no pixel decoder beside the run
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
    decoderView: params.get('decoderView') !== '0',
    presetFromLink: isPreset(params.get('preset')),
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

/** The names a settings query may hold: the preset, the recipe and every config field. */
const SETTING_NAMES = new Set<string>(['preset', 'recipe', ...CONFIG_KEYS]);

/** `search` with its settings replaced by `settingsQuery`; every other parameter (where to run, the
 *  `?bench` page mode's request) is kept as it was. */
export function withSettings(search: string, settingsQuery: string): string {
  const next = new URLSearchParams(settingsQuery);
  for (const [name, value] of new URLSearchParams(search)) if (!SETTING_NAMES.has(name)) next.append(name, value);
  return next.toString();
}

/** The settings into the link, keeping its other parameters. */
export function writeUrl(preset: PresetName, config: IJepaConfig, recipe: RecipeName): void {
  const query = withSettings(window.location.search, configToQuery(preset, config, recipe));
  window.history.replaceState(null, '', `${window.location.pathname}?${query}`);
}

export function setUrlParam(key: string, value: string): void {
  const params = new URLSearchParams(window.location.search);
  params.set(key, value);
  window.history.replaceState(null, '', `${window.location.pathname}?${params.toString()}`);
}
