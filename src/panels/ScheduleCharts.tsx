// The schedules over the whole planned run (what the config asks for) with the values the worker
// actually applied at each step on top: EMA momentum, and learning rate with weight decay. Early in a
// long run the applied part is a dot at the left: "trained steps only" zooms both charts to it.
import uPlot from 'uplot';
import type { IJepaConfig } from '../ijepa/config';
import { lrAt, momentumAt, wdAt } from '../ijepa/schedules';
import { useAppStore } from '../store/appStore';
import { runHistory, type MetricField } from '../store/metrics';
import { minMaxIndices, pick } from './downsample';
import { axis, scientific, UPlotChart, type Theme } from './UPlotChart';

const PLANNED_POINTS = 400;

/** The steps on the x axis: the whole plan, or (zoomed) the steps trained so far. */
function shownSteps(config: IJepaConfig, zoom: boolean): number {
  return zoom ? Math.max(1, runHistory.series.step.last() ?? 1) : config.totalSteps;
}

/** The charts as drawn (read by the test hook). */
export const scheduleChartView: { momentum: uPlot | null } = { momentum: null };

function planned(config: IJepaConfig, at: (c: IJepaConfig, t: number) => number, upTo: number): [number[], number[]] {
  const ts = [...new Set(Array.from({ length: PLANNED_POINTS + 1 }, (_, i) => Math.round((i * upTo) / PLANNED_POINTS)))];
  return [ts, ts.map((t) => at(config, t))];
}

function ZoomToggle() {
  const zoom = useAppStore((s) => s.scheduleZoom);
  const setZoom = useAppStore((s) => s.setScheduleZoom);
  return (
    <label className="row chart-toggle">
      <input type="checkbox" data-testid="schedule-zoom" checked={zoom} onChange={(e) => setZoom(e.target.checked)} /> trained steps only
    </label>
  );
}

function actual(field: MetricField, width: number): [number[], number[]] {
  const values = runHistory.series[field].values();
  const keep = minMaxIndices(values, Math.max(100, width));
  return [Array.from(pick(runHistory.series.step.values(), keep)), Array.from(pick(values, keep))];
}

const plannedSeries = (label: string, theme: Theme, scale = 'y'): uPlot.Series => ({
  label,
  stroke: theme.muted,
  width: 1.5,
  dash: [6, 4],
  scale,
  points: { show: false },
});
// the applied values are joined onto the planned curve's x values: span the gaps between them,
// and show points while they are few (a short run is otherwise invisible on a long plan)
const actualSeries = (label: string, stroke: string, scale = 'y'): uPlot.Series => ({
  label,
  stroke,
  width: 2,
  scale,
  spanGaps: true,
  points: { show: (u, seriesIdx) => runHistory.series.step.length < 200 && seriesIdx > 0 && u.data[0].length > 0, size: 5, fill: stroke },
});

export function MomentumPanel() {
  const config = useAppStore((s) => s.config);
  const zoom = useAppStore((s) => s.scheduleZoom);
  const key = `${config.totalSteps}-${config.ema.join()}-${zoom}`;
  const current = runHistory.series.momentum.last();
  return (
    <section className="panel chart-panel" aria-labelledby="momentum-heading">
      <h2 id="momentum-heading">
        EMA momentum <ZoomToggle />
      </h2>
      <UPlotChart
        testId="momentum-chart"
        title="EMA momentum"
        optionsKey={key}
        version={() => runHistory.version}
        onChart={(chart) => (scheduleChartView.momentum = chart)}
        options={(_, theme) => ({
          scales: { x: { time: false, range: () => [0, shownSteps(config, zoom)] } },
          axes: [axis(theme, { label: 'step' }), axis(theme, { size: 70 })],
          series: [{ label: 'step' }, plannedSeries('planned', theme), actualSeries('applied', theme.accent)],
        })}
        data={(width) =>
          uPlot.join([planned(config, momentumAt, shownSteps(config, zoom)), actual('momentum', width)]) as uPlot.AlignedData
        }
      />
      <p className="sr-only">
        {current === undefined
          ? `Planned from ${config.ema[0]} to ${config.ema[1]}.`
          : `Momentum ${current.toFixed(5)} at step ${runHistory.series.step.last()}.`}
      </p>
    </section>
  );
}

export function SchedulePanel() {
  const config = useAppStore((s) => s.config);
  const zoom = useAppStore((s) => s.scheduleZoom);
  const key = [
    config.totalSteps,
    config.warmupSteps,
    config.startLr,
    config.lr,
    config.finalLr,
    config.weightDecay,
    config.finalWeightDecay,
    zoom,
  ].join();
  return (
    <section className="panel chart-panel" aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">
        Learning rate and weight decay <ZoomToggle />
      </h2>
      <UPlotChart
        testId="schedule-chart"
        title="Learning rate and weight decay"
        optionsKey={key}
        version={() => runHistory.version}
        options={(_, theme) => ({
          scales: { x: { time: false, range: () => [0, shownSteps(config, zoom)] }, wd: {} },
          axes: [
            axis(theme, { label: 'step' }),
            axis(theme, { size: 70, label: 'lr', values: scientific }),
            axis(theme, { scale: 'wd', side: 1, size: 60, label: 'wd', grid: { show: false } }),
          ],
          series: [
            { label: 'step' },
            plannedSeries('lr planned', theme),
            actualSeries('lr', theme.accent),
            plannedSeries('wd planned', theme, 'wd'),
            actualSeries('wd', '#e69f00', 'wd'),
          ],
        })}
        data={(width) => {
          const upTo = shownSteps(config, zoom);
          return uPlot.join([
            planned(config, lrAt, upTo),
            actual('lr', width),
            planned(config, wdAt, upTo),
            actual('wd', width),
          ]) as uPlot.AlignedData;
        }}
      />
      <p className="sr-only">
        Learning rate: warm-up from {config.startLr} to {config.lr} over {config.warmupSteps} steps, then cosine to {config.finalLr}. Weight
        decay from {config.weightDecay} to {config.finalWeightDecay}.
      </p>
    </section>
  );
}
