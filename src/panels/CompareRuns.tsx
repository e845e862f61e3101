// Kept runs side by side (picked in the Runs panel): the smoothed loss, kNN, linear probe, centred
// RankMe, lr and EMA momentum, by step or by training time, one colour per run in every chart, and a
// table of only the settings that differ, with each run's last figures against its random init.
// Nothing here runs while no comparison is open.
import { useState } from 'react';
import type uPlot from 'uplot';
import { alignByX, differingSettings } from '../store/compareRuns';
import { lastFigures, type KeptRun } from '../store/runLibrary';
import { percent, points } from './figures';
import { TARGET_COLOURS } from './maskGeometry';
import { debiasedEma } from './smoothing';
import { axis, scientific, UPlotChart } from './UPlotChart';

const SMOOTHING = 0.6; // the loss chart's default
const colourOf = (i: number) => TARGET_COLOURS[i % TARGET_COLOURS.length];

type XAxis = 'step' | 'minutes';
type Series = { xs: ArrayLike<number>; ys: ArrayLike<number | null> };

/** Where step `step` lies on the x axis: itself, or the run's training minutes when it was reached. */
function xOf(run: KeptRun, x: XAxis): (step: number) => number {
  if (x === 'step') return (step) => step;
  const at = new Map(run.history.step.map((s, i) => [s + 1, run.history.wallMs[i]])); // after step s: s + 1 done
  return (step) => (at.get(step) ?? 0) / 60_000;
}

function RunsChart({
  runs,
  x,
  testId,
  title,
  series,
  formatValue,
  values,
}: {
  runs: KeptRun[];
  x: XAxis;
  testId: string;
  title: string;
  series: (run: KeptRun) => Series; // by step
  formatValue?: (value: number) => string;
  values?: uPlot.Axis['values']; // the y axis' tick labels (default: uPlot's)
}) {
  const aligned = alignByX(
    runs.map((run) => {
      const { xs, ys } = series(run);
      return { xs: Array.from(xs, xOf(run, x)), ys };
    }),
  );
  const xLabel = x === 'step' ? 'step' : 'minutes of training';
  return (
    <div>
      <h4 className="chart-title">{title}</h4>
      <UPlotChart
        testId={testId}
        title={title}
        xLabel={xLabel}
        formatValue={formatValue}
        height={200}
        optionsKey={`${testId}-${x}-${runs.map((r) => r.id).join()}`}
        version={() => runs.reduce((sum, r) => sum + r.updatedAt, 0)}
        options={(_, theme) => ({
          scales: { x: { time: false } },
          axes: [axis(theme, { label: xLabel }), axis(theme, { size: 70, ...(values && { values }) })],
          series: [
            { label: xLabel },
            ...runs.map((run, i) => ({
              label: run.name,
              stroke: colourOf(i),
              width: 2,
              spanGaps: true,
              points: { show: aligned.xs.length < 40 },
            })),
          ],
          legend: { live: true },
        })}
        data={() => [aligned.xs, ...aligned.ys] as uPlot.AlignedData}
      />
    </div>
  );
}

/** A per-step series against the steps done after each (1, 2, …: the evaluations' steps count so too). */
const stepSeries = (run: KeptRun, ys: ArrayLike<number>): Series => ({ xs: run.history.step.map((s) => s + 1), ys });
/** One number of every evaluation, against the step it was made at. */
const evaluationSeries =
  (pick: (e: KeptRun['evaluations'][number]) => number | null) =>
  (run: KeptRun): Series => ({ xs: run.evaluations.map((e) => e.step), ys: run.evaluations.map(pick) });

interface ChartSpec {
  testId: string;
  title: string;
  series: (run: KeptRun) => Series;
  formatValue?: (value: number) => string;
  values?: uPlot.Axis['values'];
  fromEvaluations?: boolean; // drawn once a run has been evaluated
}

/** The charts of a comparison, in order. */
const CHARTS: ChartSpec[] = [
  {
    testId: 'compare-loss',
    title: `Loss (smoothed ${SMOOTHING})`,
    series: (run) => stepSeries(run, Array.from(debiasedEma(run.history.loss, SMOOTHING))),
  },
  {
    testId: 'compare-knn',
    title: 'kNN accuracy (held out)',
    series: evaluationSeries((e) => e.knn),
    formatValue: percent,
    fromEvaluations: true,
  },
  {
    testId: 'compare-probe',
    title: 'Linear probe (held out)',
    series: evaluationSeries((e) => e.probeTest),
    formatValue: percent,
    fromEvaluations: true,
  },
  { testId: 'compare-rankme', title: 'RankMe, centred', series: evaluationSeries((e) => e.rankMeCentred), fromEvaluations: true },
  { testId: 'compare-lr', title: 'Learning rate', series: (run) => stepSeries(run, run.history.lr), values: scientific },
  {
    testId: 'compare-momentum',
    title: 'EMA momentum',
    series: (run) => stepSeries(run, run.history.momentum),
    values: (_, splits) => splits.map((v) => v.toFixed(5)),
  },
];

export function CompareRuns({ runs }: { runs: KeptRun[] }) {
  const [x, setX] = useState<XAxis>('step');
  const settings = differingSettings(runs);
  const evaluated = runs.some((run) => run.evaluations.length > 0);
  return (
    <div className="compare-runs" data-testid="compare-runs">
      <h3>
        Comparing {runs.length} runs{' '}
        {runs.map((run, i) => (
          <span key={run.id} className="block-loss">
            <i style={{ background: colourOf(i) }} aria-hidden="true" />
            {run.name}{' '}
          </span>
        ))}
      </h3>
      <label className="row">
        <input
          type="checkbox"
          data-testid="compare-by-time"
          checked={x === 'minutes'}
          onChange={(e) => setX(e.target.checked ? 'minutes' : 'step')}
        />{' '}
        By training time (runs on other machines and backends side by side)
      </label>
      <div className="chart-grid">
        {CHARTS.filter((chart) => evaluated || !chart.fromEvaluations).map(({ fromEvaluations: _, ...chart }) => (
          <RunsChart key={chart.testId} runs={runs} x={x} {...chart} />
        ))}
      </div>
      {!evaluated && (
        <p className="muted">None of these runs has been evaluated yet: their kNN and probe charts appear with the first evaluation.</p>
      )}
      <table className="quality-table" data-testid="compare-table">
        <thead>
          <tr>
            <th scope="col">{settings.length === 0 ? 'Same settings' : 'Settings that differ'}</th>
            {runs.map((run, i) => (
              <th key={run.id} scope="col" style={{ color: colourOf(i) }}>
                {run.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {settings.map((row) => (
            <tr key={row.name} data-testid="differing-setting">
              <th scope="row">{row.name}</th>
              {row.values.map((value, i) => (
                <td key={runs[i].id}>{value}</td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">Steps</th>
            {runs.map((run) => (
              <td key={run.id}>
                {run.step} / {run.totalSteps}
              </td>
            ))}
          </tr>
          {(['knn', 'probe'] as const).map((kind) => (
            <tr key={kind}>
              <th scope="row">{kind === 'knn' ? 'Last kNN (vs init)' : 'Last probe (vs init)'}</th>
              {runs.map((run) => {
                const f = lastFigures(run);
                if (!f) return <td key={run.id}>–</td>;
                const [trained, random] = kind === 'knn' ? [f.knn, f.knnRandom] : [f.probe, f.probeRandom];
                return (
                  <td key={run.id}>
                    {percent(trained)} ({points(trained - random)})
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
