// The run's metric history as CSV: one row per step, with the evaluation columns filled on the
// steps where an evaluation ran (and the random-init baseline beside them).
import type { EvalRecord } from '../ijepa/diagnostics';
import { STEP_FIELDS } from '../worker/protocol';
import type { RunHistory } from './metrics';

const EVAL_FIELDS = ['knn', 'probeTrain', 'probeTest', 'featureStd', 'featureStdCentred', 'rankMe', 'rankMeCentred'] as const;

const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

export function metricsCsv(history: RunHistory, evals: readonly EvalRecord[], baseline: EvalRecord | null): string {
  const header = [...STEP_FIELDS, ...EVAL_FIELDS.map((f) => `eval_${f}`), ...EVAL_FIELDS.map((f) => `random_${f}`)];
  const byStep = new Map(evals.map((e) => [e.step, e]));
  const rows = [header.join(',')];
  const columns = STEP_FIELDS.map((f) => history.series[f].values());
  const evalCells = (e: EvalRecord | undefined) => [
    ...EVAL_FIELDS.map((f) => cell(e?.[f])),
    ...EVAL_FIELDS.map((f) => cell(e ? baseline?.[f] : undefined)),
  ];
  // an evaluation at step s ran after s steps, so it sits on the row of step s - 1 (step 0: its own row)
  for (const e of evals) if (e.step === 0) rows.push([...STEP_FIELDS.map((f) => (f === 'step' ? '0' : '')), ...evalCells(e)].join(','));
  for (let i = 0; i < columns[0].length; i++) {
    const completed = columns[0][i] + 1;
    const e = byStep.get(completed);
    rows.push([...columns.map((c, k) => (STEP_FIELDS[k] === 'step' ? String(completed) : cell(c[i]))), ...evalCells(e)].join(','));
  }
  return `${rows.join('\n')}\n`;
}
