// The `?bench` page mode: runs the step benchmark in this browser (on its real GPU) and shows the
// figures, with the JSON and Markdown that `npm run bench` writes under bench/results/.
import { useEffect, useState } from 'react';
import { PRESETS, type PresetName } from '../ijepa/config';
import { useAppStore } from '../store/appStore';
import { backendLabel, benchMarkdown, formatFlops, fusedGain, type BenchCell } from './report';
import { runBenchmark, useBenchStore } from './runner';
import { benchRequestFromUrl, type BenchRequest } from './url';
import type { BackendName } from '../worker/protocol';
import { download } from '../store/download';

let autorunDone = false;
const NONE: BackendName[] = [];

function toggle<T>(list: T[], item: T, on: boolean): T[] {
  return on ? [...new Set([...list, item])] : list.filter((x) => x !== item);
}

function CellRows({ cell }: { cell: BenchCell }) {
  if (!cell.bare)
    return (
      <tr>
        <td>{cell.preset}</td>
        <td>{backendLabel(cell.backend, cell.threads)}</td>
        <td colSpan={10} className="muted">
          {cell.error ?? 'not measured'}
        </td>
      </tr>
    );
  return (
    <>
      {[cell.bare, cell.plain].map(
        (b) =>
          b && (
            <tr key={String(b.fused)}>
              <td>{cell.preset}</td>
              <td>{backendLabel(cell.backend, b.threads)}</td>
              <td>{b.fused ? 'fused' : 'plain'}</td>
              <td>{b.medianStepMs.toFixed(1)}</td>
              <td>{b.imagesPerSec.toFixed(1)}</td>
              <td>
                {(b.firstStepMs / 1000).toFixed(1)} s
                {b === cell.bare && cell.precompiled ? ` → ${(cell.precompiled.timeToFirstStepMs / 1000).toFixed(1)} s` : ''}
              </td>
              <td>
                {b.workKernelsPerStep}
                {b.dispatchesPerStep !== null ? ` (${b.dispatchesPerStep} GPU)` : ''}
              </td>
              <td>{((100 * b.dataMovementMs) / b.medianStepMs).toFixed(1)}%</td>
              <td>{formatFlops(b.achievedFlopsPerSec)}FLOP/s</td>
              <td>{(b.utilisation * 100).toFixed(1)}%</td>
              <td>{b === cell.bare ? (cell.overheadRatio?.toFixed(2) ?? cell.error ?? '–') : '–'}</td>
              <td>{b.memory.map((m) => m.numTensors).join(' → ')}</td>
            </tr>
          ),
      )}
    </>
  );
}

export function BenchPanel() {
  const available = useAppStore((s) => s.backend?.available) ?? NONE; // a new [] in the selector would re-render forever
  // not while the startup measurement still times backends beside the page: its trials would skew these figures
  const ready = useAppStore((s) => s.workerReady && !s.startup.measuring);
  const { running, progress, report } = useBenchStore();
  const [request, setRequest] = useState<BenchRequest | null>(null);

  useEffect(() => {
    if (!ready || request) return;
    const fromUrl = benchRequestFromUrl(window.location.search, available);
    setRequest(fromUrl);
    if (new URLSearchParams(window.location.search).has('autorun') && !autorunDone) {
      autorunDone = true;
      void runBenchmark(fromUrl);
    }
  }, [ready, available, request]);

  if (!request)
    return (
      <section className="panel bench-panel">
        <h2>Benchmark</h2>
        <p className="muted">Starting the trainer…</p>
      </section>
    );
  const update = (patch: Partial<BenchRequest>) => setRequest({ ...request, ...patch });
  const stamp = report?.date.replace(/[:.]/g, '-') ?? '';
  return (
    <section className="panel bench-panel" data-testid="bench-panel" aria-busy={running}>
      <h2>Benchmark</h2>
      <p className="muted">
        Times the training step on each backend: the bare step in a fresh worker, the time to first step with and without precompiled
        shaders, and the whole page's loop. The page trains while it measures; it restores your settings at the end.
      </p>
      <fieldset disabled={running} className="bench-form">
        <span>Presets:</span>
        {(Object.keys(PRESETS) as PresetName[]).map((p) => (
          <label key={p}>
            <input
              type="checkbox"
              checked={request.presets.includes(p)}
              onChange={(e) => update({ presets: toggle(request.presets, p, e.target.checked) })}
            />{' '}
            {p}
          </label>
        ))}
        <span>Backends:</span>
        {available.map((b: BackendName) => (
          <label key={b}>
            <input
              type="checkbox"
              checked={request.backends.includes(b)}
              onChange={(e) => update({ backends: toggle(request.backends, b, e.target.checked) })}
            />{' '}
            {b}
          </label>
        ))}
        <label>
          Timed steps{' '}
          <input
            type="number"
            min={1}
            value={request.steps}
            onChange={(e) => update({ steps: Math.max(1, Math.floor(Number(e.target.value)) || 1) })}
          />
        </label>
        <label>
          Warm-up{' '}
          <input
            type="number"
            min={0}
            value={request.warmup}
            onChange={(e) => update({ warmup: Math.max(0, Math.floor(Number(e.target.value)) || 0) })}
          />
        </label>
        <label>
          Budget per measurement (s){' '}
          <input
            type="number"
            min={1}
            value={request.budgetSec}
            onChange={(e) => update({ budgetSec: Math.max(1, Math.floor(Number(e.target.value)) || 1) })}
          />
        </label>
        <label>
          <input type="checkbox" checked={request.comparePlain} onChange={(e) => update({ comparePlain: e.target.checked })} /> compare with
          the plain tfjs ops
        </label>
        <button
          type="button"
          onClick={() => void runBenchmark(request)}
          disabled={running || request.presets.length === 0 || request.backends.length === 0}
        >
          Run benchmark
        </button>
      </fieldset>
      <p role="status" data-testid="bench-progress">
        {progress}
      </p>
      {report && report.cells.length > 0 && (
        <>
          <div className="table-scroll">
            <table className="bench-table">
              <thead>
                <tr>
                  <th>preset</th>
                  <th>backend</th>
                  <th>kernels</th>
                  <th>ms/step</th>
                  <th>images/s</th>
                  <th>first step → precompiled</th>
                  <th>kernels/step doing work</th>
                  <th>data movement</th>
                  <th>model FLOP/s</th>
                  <th>utilisation</th>
                  <th>app overhead ratio</th>
                  <th>tensors step 10 → N</th>
                </tr>
              </thead>
              <tbody>
                {report.cells.map((c) => (
                  <CellRows key={`${c.preset}-${c.backend}-${c.threads ?? 'all'}`} cell={c} />
                ))}
              </tbody>
            </table>
          </div>
          <ul>
            {report.cells
              .map(fusedGain)
              .filter(Boolean)
              .map((g) => (
                <li key={g}>{g}</li>
              ))}
          </ul>
          <p className="muted">Adapter: {report.adapter}</p>
          <button type="button" onClick={() => download(JSON.stringify(report, null, 2), `bench-${stamp}.json`, 'application/json')}>
            Download JSON
          </button>{' '}
          <button type="button" onClick={() => download(benchMarkdown(report), `bench-${stamp}.md`, 'text/markdown')}>
            Download Markdown
          </button>
        </>
      )}
    </section>
  );
}
