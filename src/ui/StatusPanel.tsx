// Live numbers of the run: step, loss, schedules, throughput, compile time, memory.
import { canTrain, useAppStore, type AppState } from '../store/appStore';
import type { Phase } from '../worker/protocol';
import { formatEvalProgress } from '../panels/QualityPanel';
import { formatBytes, formatDuration, formatNumber } from './format';

const PHASE_TEXT: Record<Phase, string> = {
  idle: 'Ready',
  compiling: 'Compiling kernels…',
  training: 'Training',
  pausing: 'Pausing…',
  paused: 'Paused',
  done: 'Done',
  error: 'Stopped',
};

/** The badge: what the page is doing, and "Ready" only when Train would start a run. */
export function phaseText(s: AppState): string {
  if (!s.workerReady) return s.startup.measuring ? 'Measuring backends…' : 'Starting…';
  if (s.status.phase !== 'idle' || canTrain(s)) return PHASE_TEXT[s.status.phase];
  if ((s.dataset?.count ?? 0) === 0) return s.importProgress?.running ? 'Waiting for images…' : 'No images';
  return 'Fix the settings';
}

export function StatusPanel() {
  const status = useAppStore((s) => s.status);
  const badge = useAppStore(phaseText);
  const evaluating = useAppStore((s) => s.evaluating);
  const live = useAppStore((s) => s.live);
  const items: [string, string, string][] = [
    ['step', 'Step', `${status.step} / ${status.totalSteps}`],
    ['loss', 'Loss', formatNumber(live.loss)],
    ['lr', 'Learning rate', formatNumber(live.lr, 3)],
    ['wd', 'Weight decay', formatNumber(live.wd, 3)],
    ['momentum', 'EMA momentum', live.momentum === null ? '—' : live.momentum.toFixed(5)],
    ['steps-per-sec', 'Steps/s', live.stepsPerSec > 0 ? live.stepsPerSec.toFixed(2) : '—'],
    ['images-per-sec', 'Images/s', live.imagesPerSec > 0 ? live.imagesPerSec.toFixed(0) : '—'],
    ['eta', 'ETA', formatDuration(live.etaSec)],
    ['compile', 'Kernel compile + first step', status.compileMs === null ? '—' : `${(status.compileMs / 1000).toFixed(1)} s`],
    ['tensors', 'Tensors alive', live.numTensors > 0 ? String(live.numTensors) : '—'],
    ['gpu-bytes', 'GPU memory', formatBytes(live.gpuBytes)],
  ];
  return (
    <section className="panel status-panel" aria-labelledby="status-heading">
      <h2 id="status-heading">
        Run{' '}
        <span className={`phase phase-${status.phase}`} data-testid="phase">
          {badge}
        </span>
        {evaluating && (
          <span className="phase phase-evaluating" data-testid="eval-badge">
            {formatEvalProgress(evaluating)}
          </span>
        )}
      </h2>
      {status.message && (
        <p className={`run-message ${status.phase === 'error' ? 'error' : ''}`} role="status" data-testid="run-message">
          {status.message}
        </p>
      )}
      <dl className="numbers" aria-live="off">
        {items.map(([id, label, value]) => (
          <div key={id}>
            <dt>{label}</dt>
            <dd data-testid={`stat-${id}`}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
