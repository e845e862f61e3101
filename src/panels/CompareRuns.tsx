// Kept runs side by side (picked in the Runs panel): the smoothed loss, kNN and linear probe by step,
// one colour per run in every chart, and a table of only the settings that differ, with each run's
// last figures against its random init. Nothing here runs while no comparison is open.
import type uPlot from 'uplot';
import { alignByX, differingSettings } from '../store/compareRuns';
import { lastFigures, type KeptRun } from '../store/runLibrary';
import { TARGET_COLOURS } from './maskGeometry';
import { debiasedEma } from './smoothing';
import { axis, UPlotChart } from './UPlotChart';

const SMOOTHING = 0.6; // the loss chart's default
const colourOf = (i: number) => TARGET_COLOURS[i % TARGET_COLOURS.length];
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;

function RunsChart({
  runs,
  testId,
  title,
  series,
  formatValue,
}: {
  runs: KeptRun[];
  testId: string;
  title: string;
  series: (run: KeptRun) => { xs: ArrayLike<number>; ys: ArrayLike<number | null> };
  formatValue?: (value: number) => string;
}) {
  const aligned = alignByX(runs.map(series));
  return (
    <UPlotChart
      testId={testId}
      title={title}
      xLabel="step"
      formatValue={formatValue}
      height={200}
      optionsKey={`${testId}-${runs.map((r) => r.id).join()}`}
      version={() => runs.reduce((sum, r) => sum + r.updatedAt, 0)}
      options={(_, theme) => ({
        scales: { x: { time: false } },
        axes: [axis(theme, { label: 'step' }), axis(theme, { size: 60 })],
        series: [
          { label: 'step' },
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
  );
}

export function CompareRuns({ runs }: { runs: KeptRun[] }) {
  const settings = differingSettings(runs);
  const evaluated = runs.some((run) => run.evaluations.length > 0);
  const evaluations = (pick: (e: KeptRun['evaluations'][number]) => number | null) => (run: KeptRun) => ({
    xs: run.evaluations.map((e) => e.step),
    ys: run.evaluations.map(pick),
  });
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
      <div className="chart-grid">
        <RunsChart
          runs={runs}
          testId="compare-loss"
          title={`Loss (smoothed ${SMOOTHING})`}
          series={(run) => ({ xs: run.history.step, ys: Array.from(debiasedEma(run.history.loss, SMOOTHING)) })}
        />
        {evaluated && (
          <>
            <RunsChart
              runs={runs}
              testId="compare-knn"
              title="kNN accuracy (held out)"
              series={evaluations((e) => e.knn)}
              formatValue={percent}
            />
            <RunsChart
              runs={runs}
              testId="compare-probe"
              title="Linear probe (held out)"
              series={evaluations((e) => e.probeTest)}
              formatValue={percent}
            />
          </>
        )}
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
                    {percent(trained)} ({signed(trained - random)})
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
