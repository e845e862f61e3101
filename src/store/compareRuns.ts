// Comparing kept runs (src/panels/CompareRuns.tsx): the settings that differ between them (only
// those, as W&B's run comparison), and their series on one shared x axis for one chart.
import { CONFIG_FIELDS, CONFIG_KEYS } from '../ijepa/config';
import type { KeptRun } from './runLibrary';

export interface DifferingSetting {
  name: string; // as the settings form calls it (or the config key)
  values: string[]; // one per run, in the runs' order
}

const shown = (value: unknown) => (Array.isArray(value) ? value.join('–') : String(value));

/** The settings (preset, recipe, data, every config field) whose values are not all the same. */
export function differingSettings(runs: KeptRun[]): DifferingSetting[] {
  const rows: DifferingSetting[] = [
    { name: 'Preset', values: runs.map((r) => r.preset) },
    { name: 'Recipe', values: runs.map((r) => r.recipe) },
    { name: 'Data', values: runs.map((r) => `${r.dataset.source} (${r.dataset.images} images)`) },
    { name: 'Backend', values: runs.map((r) => r.backend ?? '–') },
    ...CONFIG_KEYS.map((key) => ({ name: CONFIG_FIELDS[key].form?.label ?? key, values: runs.map((r) => shown(r.config[key])) })),
  ];
  return rows.filter((row) => new Set(row.values).size > 1);
}

/** Series of several runs on the union of their x values (null where a run has no point there). */
export function alignByX(series: { xs: ArrayLike<number>; ys: ArrayLike<number | null> }[]): { xs: number[]; ys: (number | null)[][] } {
  const xs = [...new Set(series.flatMap((s) => Array.from(s.xs)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const row: (number | null)[] = new Array(xs.length).fill(null);
    for (let i = 0; i < s.xs.length; i++) row[at.get(s.xs[i])!] = s.ys[i];
    return row;
  });
  return { xs, ys };
}
