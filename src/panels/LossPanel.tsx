// Loss of every step: the raw values faint, TensorBoard-style smoothing on top (adjustable),
// linear or log axis, hover readout (step, raw, smoothed) in uPlot's legend. All points are kept;
// only what is drawn is downsampled.
import { useState } from 'react';
import type uPlot from 'uplot';
import { useAppStore } from '../store/appStore';
import { runHistory } from '../store/metrics';
import { minMaxIndices, pick } from './downsample';
import { debiasedEma } from './smoothing';
import { axis, UPlotChart } from './UPlotChart';

/** What the loss chart shows now (read by the test hook). */
export const lossChartView: { chart: uPlot | null; log: boolean; smoothing: number } = { chart: null, log: false, smoothing: 0.6 };

const positiveOrNull = (values: Float64Array) => Array.from(values, (v) => (v > 0 ? v : null));

export function LossPanel() {
  const [smoothing, setSmoothing] = useState(0.6);
  const [log, setLog] = useState(false);
  lossChartView.log = log;
  lossChartView.smoothing = smoothing;
  const loss = runHistory.series.loss;
  const last = loss.last();
  const troubleSince = useAppStore((s) => s.quality.at(-1)?.verdict.since ?? null); // marked on the chart

  return (
    <section className="panel chart-panel" aria-labelledby="loss-heading">
      <h2 id="loss-heading">Loss</h2>
      <div className="row chart-controls">
        <label className="row">
          Smoothing
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            data-testid="loss-smoothing"
            onChange={(e) => setSmoothing(Number(e.target.value))}
          />
          <span className="muted">{smoothing.toFixed(2)}</span>
        </label>
        <label className="row">
          <input type="checkbox" checked={log} data-testid="loss-log" onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
      </div>
      <UPlotChart
        testId="loss-chart"
        title="Loss"
        optionsKey={`loss-${log}`}
        version={() => runHistory.version * 1000 + Math.round(smoothing * 100) + 1e9 * (troubleSince ?? -1)}
        onChart={(chart) => (lossChartView.chart = chart)}
        markers={() => (troubleSince === null ? [] : [troubleSince])}
        options={(_, theme) => ({
          scales: { x: { time: false }, y: { distr: log ? 3 : 1 } },
          axes: [axis(theme, { label: 'step' }), axis(theme, { size: 60 })],
          series: [
            { label: 'step' },
            { label: 'raw', stroke: theme.muted, width: 1, alpha: 0.6, points: { show: false } },
            { label: 'smoothed', stroke: theme.accent, width: 2, points: { show: false } },
          ],
          legend: { live: true },
          cursor: { drag: { x: true, y: false } },
        })}
        data={(width) => {
          const values = loss.values();
          const keep = minMaxIndices(values, Math.max(100, width));
          const raw = pick(values, keep);
          const smooth = pick(debiasedEma(values, smoothing), keep);
          const steps = pick(runHistory.series.step.values(), keep);
          return log ? [steps, positiveOrNull(raw), positiveOrNull(smooth)] : [steps, raw, smooth];
        }}
      />
      <p className="sr-only" aria-live="off">
        {last === undefined
          ? 'No loss yet.'
          : `Loss at step ${runHistory.series.step.last()}: ${last.toFixed(4)}, over ${loss.length} steps.`}
      </p>
    </section>
  );
}
