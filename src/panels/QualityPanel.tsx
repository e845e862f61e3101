// "Is it learning?": kNN and linear-probe accuracy of the target encoder on held-out images beside
// a random-init encoder of the same shape, the collapse diagnostics over steps (feature std with
// its healthy level, RankMe raw and centred), a verdict in words, and the patch-feature view.
import uPlot from 'uplot';
import type { EvalRecord } from '../ijepa/diagnostics';
import { useAppStore } from '../store/appStore';
import { actions } from '../store/trainerConnection';
import type { EvalProgress, PatchView, PixelBaseline } from '../worker/protocol';
import { RgbCanvas } from './RgbCanvas';
import { axis, UPlotChart } from './UPlotChart';

/** The accuracy chart as drawn (read by the test hook). */
export const qualityChartView: { chart: uPlot | null } = { chart: null };

/** An evaluation under way: "evaluating step 200 (random-init baseline first) · 45%". */
export function formatEvalProgress(progress: EvalProgress): string {
  const percent = progress.total > 0 ? Math.floor((100 * progress.done) / progress.total) : 0;
  return `evaluating step ${progress.step}${progress.withBaseline ? ' (random-init baseline first)' : ''} · ${percent}%`;
}

const percent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);
const fixed = (v: number | null | undefined, digits: number) => (v === null || v === undefined ? '—' : v.toFixed(digits));

function PatchFeatures({ view }: { view: PatchView }) {
  const n = view.images.length / (view.side * view.side * 3);
  const cells = view.grid * view.grid * 3;
  return (
    <div className="patch-view" data-testid="patch-view">
      {Array.from({ length: n }, (_, i) => (
        <div key={i} className="patch-pair">
          <RgbCanvas
            rgb={view.images.subarray(i * view.side * view.side * 3, (i + 1) * view.side * view.side * 3)}
            side={view.side}
            label={`held-out image ${i + 1}`}
            className="patch-view-canvas"
          />
          <RgbCanvas
            rgb={view.pca.subarray(i * cells, (i + 1) * cells)}
            side={view.grid}
            label="first 3 principal components of its patch features, as RGB"
            className="patch-view-canvas"
          />
        </div>
      ))}
    </div>
  );
}

interface ChartsProps {
  records: EvalRecord[];
  baseline: EvalRecord;
  pixels: PixelBaseline | null;
  dim: number;
  troubleSince: number | null; // marked on both charts
}

function QualityCharts({ records, baseline, pixels, dim, troubleSince }: ChartsProps) {
  const steps = records.map((r) => r.step);
  const markers = () => (troubleSince === null ? [] : [troubleSince]);
  const flat = (v: number | null) => steps.map(() => v);
  const series = (label: string, stroke: string, dash?: number[], scale = 'y'): uPlot.Series => ({
    label,
    stroke,
    width: dash ? 1.5 : 2,
    dash,
    scale,
    points: { show: true, size: 4 },
  });
  return (
    <div className="chart-grid">
      <UPlotChart
        testId="quality-accuracy-chart"
        title="Held-out accuracy of the trained encoder, its random init and the raw pixels"
        formatValue={(v) => `${(100 * v).toFixed(1)}%`}
        height={180}
        optionsKey="acc"
        version={() => records.length}
        onChart={(chart) => (qualityChartView.chart = chart)}
        markers={markers}
        options={(_, theme) => ({
          scales: { x: { time: false }, y: { range: [0, 1] } },
          axes: [axis(theme, { label: 'step' }), axis(theme, { values: (_u, v) => v.map((x) => `${Math.round(100 * x)}%`) })],
          series: [
            { label: 'step' },
            series('kNN', theme.accent),
            series('probe', '#e69f00'),
            series('kNN random', theme.muted, [5, 4]),
            series('probe random', '#b08d4a', [5, 4]),
            series('kNN pixels', theme.muted, [1, 3]),
            series('probe pixels', '#b08d4a', [1, 3]),
          ],
        })}
        data={() =>
          [
            steps,
            records.map((r) => r.knn),
            records.map((r) => r.probeTest),
            flat(baseline.knn),
            flat(baseline.probeTest),
            flat(pixels?.knn ?? null),
            flat(pixels?.probeTest ?? null),
          ] as uPlot.AlignedData
        }
      />
      <UPlotChart
        testId="quality-collapse-chart"
        title="Feature spread and RankMe"
        height={180}
        optionsKey="collapse"
        version={() => records.length}
        markers={markers}
        options={(_, theme) => ({
          scales: { x: { time: false }, rank: {} },
          axes: [
            axis(theme, { label: 'step' }),
            axis(theme, { label: 'feature std', size: 60 }),
            axis(theme, { scale: 'rank', side: 1, label: 'RankMe', grid: { show: false } }),
          ],
          series: [
            { label: 'step' },
            series('std', theme.accent),
            series('std random', theme.muted, [5, 4]),
            series('std centred', '#56b4e9'),
            series('even spread 1/√D', '#56b4e9', [2, 3]),
            series('RankMe', '#009e73', undefined, 'rank'),
            series('RankMe centred', '#cc79a7', undefined, 'rank'),
          ],
        })}
        data={() =>
          [
            steps,
            records.map((r) => r.featureStd),
            flat(baseline.featureStd),
            records.map((r) => r.featureStdCentred ?? null),
            flat(1 / Math.sqrt(dim)),
            records.map((r) => r.rankMe),
            records.map((r) => r.rankMeCentred),
          ] as uPlot.AlignedData
        }
      />
    </div>
  );
}

export function QualityPanel() {
  const quality = useAppStore((s) => s.quality);
  const evaluating = useAppStore((s) => s.evaluating);
  const evalEvery = useAppStore((s) => s.evalEvery);
  const dim = useAppStore((s) => s.config.embedDim);
  const ready = useAppStore((s) => s.workerReady);
  const latest = quality[quality.length - 1];
  const pixels = latest?.pixels ?? null;
  const rows: [string, string, (r: EvalRecord) => string, string?][] = [
    ['knn', 'kNN accuracy (k = 20, held-out)', (r) => percent(r.knn), percent(pixels?.knn)],
    ['probe-test', 'Linear probe, held-out', (r) => percent(r.probeTest), percent(pixels?.probeTest)],
    ['probe-train', 'Linear probe, train', (r) => percent(r.probeTrain), percent(pixels?.probeTrain)],
    ['std', 'Feature std (L2-normalised; small from the start, compare with random init)', (r) => fixed(r.featureStd, 4)],
    ['std-centred', `Feature std, centred (≈ ${(1 / Math.sqrt(dim)).toFixed(3)} when spread evenly)`, (r) => fixed(r.featureStdCentred, 4)],
    ['rankme', 'RankMe', (r) => fixed(r.rankMe, 2)],
    ['rankme-centred', 'RankMe, centred', (r) => fixed(r.rankMeCentred, 2)],
  ];
  return (
    <section className="panel quality-panel" aria-labelledby="quality-heading">
      <h2 id="quality-heading">
        Is it learning?{' '}
        {evaluating && (
          <span className="phase phase-training" data-testid="eval-progress">
            {formatEvalProgress(evaluating)}
          </span>
        )}
      </h2>
      <div className="row chart-controls">
        <button
          type="button"
          data-testid="evaluate-now"
          disabled={!ready || evaluating !== null}
          onClick={() => void actions.evaluateNow()}
        >
          Evaluate now
        </button>
        <label className="row">
          every
          <input
            type="number"
            min={0}
            step={50}
            value={evalEvery}
            data-testid="eval-every"
            style={{ width: '6rem' }}
            onChange={(e) => void actions.setEvalEvery(Math.max(0, Number(e.target.value) || 0))}
          />{' '}
          steps (0: only on request)
        </label>
      </div>
      {!latest ? (
        <p className="muted">
          No evaluation yet. It runs at step 0 of a run and every {evalEvery} steps, on the target encoder's average-pooled features, in
          slices between training steps (training never waits for it).
        </p>
      ) : (
        <>
          <p
            className={`verdict verdict-${latest.verdict.level}`}
            data-testid="quality-verdict"
            role={latest.verdict.level === 'ok' ? undefined : 'alert'}
          >
            {latest.verdict.message}
          </p>
          <table className="quality-table" data-testid="quality-table">
            <thead>
              <tr>
                <th />
                <th>trained, step {latest.record.step}</th>
                <th title="the target encoder this run started from (same seed)">its random init</th>
                <th title="the same kNN and probe on the images themselves, at training resolution">raw pixels</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([id, label, value, pixelValue]) => (
                <tr key={id}>
                  <td>{label}</td>
                  <td data-testid={`q-trained-${id}`}>{value(latest.record)}</td>
                  <td data-testid={`q-random-${id}`}>{value(latest.baseline)}</td>
                  <td data-testid={`q-pixels-${id}`}>{pixelValue ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted" data-testid="probe-note">
            {latest.probeNote}
          </p>
          <QualityCharts
            records={quality.map((q) => q.record)}
            baseline={latest.baseline}
            pixels={pixels}
            dim={dim}
            troubleSince={latest.verdict.since}
          />
          {latest.patchView && (
            <>
              <h3>Patch features (held-out images; first 3 principal components as RGB)</h3>
              <PatchFeatures view={latest.patchView} />
            </>
          )}
        </>
      )}
    </section>
  );
}
