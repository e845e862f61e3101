// Title, the active backend and adapter (always visible), the backend switch, restart, and what the
// startup measurement found on this machine.
import { useAppStore, useIsRunning } from '../store/appStore';
import { actions, restartTrainer } from '../store/trainerConnection';
import { runOverrides } from '../store/url';
import type { BackendName } from '../worker/protocol';
import { backendLabel, describeBackends, describePresets, describeTrial } from './machineText';

function MachineNote() {
  const startup = useAppStore((s) => s.startup);
  const preset = useAppStore((s) => s.preset);
  if (startup.measuring) {
    const done = startup.trials.map(describeTrial).join(' · ');
    // the page opened on the first backend's figures: the others are timed while it is ready to train
    const openedOn = startup.measurement ? ` (ready on ${backendLabel(startup.measurement.chosen)} meanwhile)` : '';
    return (
      <p className="machine-note" data-testid="backend-measurement" role="status">
        Measuring this machine (a few seconds){openedOn}
        {done ? `: ${done}` : ''}. {startup.note}
      </p>
    );
  }
  const { measurement } = startup;
  if (!measurement) return null;
  const link = runOverrides(window.location.search);
  const when = measurement.rememberedFrom;
  return (
    <div className="machine-note" data-testid="backend-measurement">
      <p>
        {when === undefined ? 'Measured here' : `Measured here on ${new Date(when).toLocaleString()} (remembered by this browser)`} in{' '}
        {(measurement.elapsedMs / 1000).toFixed(1)} s: {describeBackends(measurement)}
        {link.backend && link.backend !== measurement.chosen ? ` (the link chose ${link.backend})` : ''}.{' '}
        {when !== undefined && <MeasureAgain />}
      </p>
      <p data-testid="preset-speeds">{describePresets(measurement, link.presetFromLink ? preset : null)}</p>
    </div>
  );
}

/** Measures the machine again: a fresh worker, the same settings and files, step 0 (the autosaved run
 *  is offered again). */
function MeasureAgain() {
  const running = useIsRunning();
  return (
    <button
      type="button"
      data-testid="measure-again"
      disabled={running}
      title="Restarts the trainer at step 0 with the same settings and files"
      onClick={() => void restartTrainer()}
    >
      Measure again
    </button>
  );
}

export function Header() {
  const backend = useAppStore((s) => s.backend);
  const phase = useAppStore((s) => s.status.phase);
  const ready = useAppStore((s) => s.workerReady);
  const running = useIsRunning();
  return (
    <header className="header">
      <h1>I-JEPA playground</h1>
      <div className="backend" data-testid="backend">
        {backend && ready ? (
          <>
            <label>
              Backend{' '}
              <select
                data-testid="backend-select"
                value={backend.name}
                disabled={running}
                onChange={(e) => void actions.setBackend(e.target.value as BackendName)}
              >
                {backend.available.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <span className="adapter" data-testid="adapter">
              {backend.adapter}
            </span>
            {backend.threads !== null && (
              <span
                className="adapter"
                data-testid="wasm-threads"
                title={
                  backend.simd ? "with SIMD kernels of our own on tfjs' memory" : "tfjs' own kernels only (our SIMD kernels did not start)"
                }
              >
                {backendLabel(backend.name, false, backend.threads)}
              </span>
            )}
          </>
        ) : (
          <span className="muted">Starting TensorFlow.js…</span>
        )}
        {phase === 'error' && (
          <button type="button" data-testid="restart-button" onClick={() => void restartTrainer()}>
            Restart
          </button>
        )}
      </div>
      {backend?.note && (
        <p className="backend-note" data-testid="backend-note" role="note">
          {backend.note}
        </p>
      )}
      <MachineNote />
    </header>
  );
}
