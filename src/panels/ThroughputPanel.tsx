// Steps/s and images/s over the run's time, with the kernel-compile phase (the first step) shaded.
import type uPlot from 'uplot';
import { useAppStore } from '../store/appStore';
import { runHistory } from '../store/metrics';
import { minMaxIndices, pick } from './downsample';
import { debiasedEma } from './smoothing';
import { axis, UPlotChart } from './UPlotChart';

function shadeCompilePhase(u: uPlot): void {
  const wall = runHistory.series.wallMs.values();
  if (wall.length === 0) return;
  const left = u.valToPos(0, 'x', true);
  const right = u.valToPos(wall[0] / 1000, 'x', true);
  const { top, height } = u.bbox;
  u.ctx.save();
  u.ctx.fillStyle = 'rgba(128, 128, 128, 0.18)';
  u.ctx.fillRect(left, top, Math.max(1, right - left), height);
  u.ctx.fillStyle = 'rgba(128, 128, 128, 0.9)';
  u.ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
  u.ctx.fillText('compiling', left + 4 * devicePixelRatio, top + 14 * devicePixelRatio);
  u.ctx.restore();
}

export function ThroughputPanel() {
  const batchSize = useAppStore((s) => s.config.batchSize);
  const live = useAppStore((s) => s.live);
  return (
    <section className="panel chart-panel" aria-labelledby="throughput-heading">
      <h2 id="throughput-heading">Throughput</h2>
      <UPlotChart
        testId="throughput-chart"
        title="Throughput"
        xLabel="second of training"
        optionsKey={`throughput-${batchSize}`}
        version={() => runHistory.version}
        options={(_, theme) => ({
          scales: { x: { time: false, range: (_, __, max) => [0, Math.max(1, max)] }, images: {} },
          axes: [
            axis(theme, { label: 'seconds of training' }),
            axis(theme, { size: 50, label: 'steps/s' }),
            axis(theme, { scale: 'images', side: 1, size: 60, label: 'images/s', grid: { show: false } }),
          ],
          series: [
            { label: 's' },
            { label: 'steps/s', stroke: theme.accent, width: 2, points: { show: false } },
            { label: 'images/s', stroke: '#e69f00', width: 1.5, scale: 'images', points: { show: false } },
          ],
          hooks: { draw: [shadeCompilePhase] },
        })}
        data={(width) => {
          // the first step is the compile phase: its rate is left out (shaded instead)
          const stepMs = runHistory.series.stepMs.values().subarray(1);
          const seconds = runHistory.series.wallMs.values().subarray(1);
          const rate = debiasedEma(
            Array.from(stepMs, (ms) => 1000 / ms),
            0.8,
          );
          const keep = minMaxIndices(rate, Math.max(100, width));
          const steps = pick(rate, keep);
          return [Array.from(pick(seconds, keep), (ms) => ms / 1000), steps, steps.map((s) => s * batchSize)];
        }}
      />
      <p className="sr-only">
        {live.stepsPerSec > 0
          ? `${live.stepsPerSec.toFixed(2)} steps per second, ${live.imagesPerSec.toFixed(0)} images per second.`
          : 'No throughput yet.'}
      </p>
    </section>
  );
}
