// The learning study's table (bench/results/learning.md) from the kept runs of bench/learning.bench.ts:
// one row per run, the trained encoder's kNN and probe against its random init at fixed training
// times and fixed steps, the last evaluation beside random init and the raw pixels, the worst gain
// after the first quarter of the run, and whether the run meets the bar (kNN >= random + 10 points,
// probe >= random + 5, no evaluation after the first quarter below random init).
import { readdirSync, readFileSync } from 'node:fs';
import type { EvalRecord } from '../src/ijepa/diagnostics';
import type { PixelBaseline } from '../src/worker/protocol';

interface Evaluation {
  step: number;
  seconds: number;
  loss: number | null;
  record: EvalRecord;
  baseline: EvalRecord;
}

export interface KeptRun {
  dataset: string;
  preset: string;
  name: string;
  seed: number;
  backend: string;
  stepsPerSec: number;
  minutes: number;
  images: number;
  config: { totalSteps: number; batchSize: number; lr: number };
  pixels: PixelBaseline | null;
  evaluations: Evaluation[];
}

export const readRuns = (dir: string): KeptRun[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as KeptRun);

const MINUTES = [5, 10]; // evaluations come every 250 steps: about every 4 minutes for tiny here
const STEPS = [250, 500, 1000];
const points = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
export const pct = (x: number | null | undefined) => (x == null ? '–' : (100 * x).toFixed(1));
/** kNN / probe points of an evaluation over its random init, e.g. "+4.1 / -0.7". */
export const gains = (e: Pick<Evaluation, 'record' | 'baseline'> | undefined) =>
  e && e.record.knn !== null && e.baseline.knn !== null
    ? `${points(e.record.knn - e.baseline.knn!)} / ${points(e.record.probeTest! - e.baseline.probeTest!)}`
    : '–';

/** The last evaluation at or before `seconds` of training; past the run's end, its last one if it
 *  completed its plan (training was over), none if it was cut short. */
function atTime(run: KeptRun, seconds: number): Evaluation | undefined {
  const last = run.evaluations[run.evaluations.length - 1];
  if (last.seconds < seconds) return last.step >= run.config.totalSteps ? last : undefined;
  return [...run.evaluations].reverse().find((e) => e.seconds <= seconds + 1); // the time budget's own evaluation lands just past it
}

export function meetsBar(run: KeptRun): { pass: boolean; worstKnn: number; worstProbe: number } {
  const last = run.evaluations[run.evaluations.length - 1];
  const quarter = last.step / 4;
  const after = run.evaluations.filter((e) => e.step > quarter);
  const worstKnn = Math.min(...after.map((e) => e.record.knn! - e.baseline.knn!));
  const worstProbe = Math.min(...after.map((e) => e.record.probeTest! - e.baseline.probeTest!));
  const pass =
    last.record.knn! - last.baseline.knn! >= 0.1 &&
    last.record.probeTest! - last.baseline.probeTest! >= 0.05 &&
    worstKnn >= 0 &&
    worstProbe >= 0;
  return { pass, worstKnn, worstProbe };
}

export function learningTable(runs: KeptRun[]): string {
  const sorted = [...runs]
    .filter((r) => r.evaluations.length > 0 && r.evaluations[0].record.knn !== null)
    .sort((a, b) => `${a.dataset} ${a.preset} ${a.name}`.localeCompare(`${b.dataset} ${b.preset} ${b.name}`) || a.seed - b.seed);
  const header =
    `| set | preset | recipe | seed | steps done / planned | kNN / probe gain at ${MINUTES.map((m) => `${m} min`).join(', ')} | ` +
    `at step ${STEPS.join(', ')} | last kNN: trained (random, pixels) | last probe: trained (random, pixels) | worst gain after the first quarter | meets the bar |`;
  const rows = sorted.map((run) => {
    const last = run.evaluations[run.evaluations.length - 1];
    const bar = meetsBar(run);
    return [
      run.dataset,
      run.preset,
      run.name,
      run.seed,
      `${last.step} / ${run.config.totalSteps}`,
      MINUTES.map((m) => gains(atTime(run, m * 60))).join(' · '),
      STEPS.map((s) => gains(run.evaluations.find((e) => e.step === s))).join(' · '),
      `${pct(last.record.knn)} (${pct(last.baseline.knn)}, ${pct(run.pixels?.knn)})`,
      `${pct(last.record.probeTest)} (${pct(last.baseline.probeTest)}, ${pct(run.pixels?.probeTest)})`,
      `${points(bar.worstKnn)} / ${points(bar.worstProbe)}`,
      bar.pass ? 'yes' : 'no',
    ].join(' | ');
  });
  return [
    '# Learning study: the trained target encoder against its own random init and the raw pixels',
    '',
    'Written by `npm run bench:learning:sweep` (bench/learningSweep.bench.ts) from the runs kept in',
    'bench/results/learning/ (each run: `npm run bench:learning`, WASM in Node). Gains are kNN / probe',
    "points over the run's own random init (the target encoder it started from); times are training time",
    '(evaluations not counted; a run that completed its plan earlier is over). The bar: last kNN >= random',
    '+ 10, last probe >= random + 5, no evaluation after the first quarter of the run below random init.',
    '',
    header,
    `|${' --- |'.repeat(11)}`,
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}
