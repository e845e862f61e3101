// Title, the active backend and adapter (always visible), the backend switch, and restart.
import { useAppStore, useIsRunning } from '../store/appStore';
import { actions, restartTrainer } from '../store/trainerConnection';
import type { BackendName } from '../worker/protocol';

export function Header() {
  const backend = useAppStore((s) => s.backend);
  const phase = useAppStore((s) => s.status.phase);
  const running = useIsRunning();
  return (
    <header className="header">
      <h1>I-JEPA playground</h1>
      <div className="backend" data-testid="backend">
        {backend ? (
          <>
            <label>
              Backend{' '}
              <select data-testid="backend-select" value={backend.name} disabled={running}
                onChange={(e) => void actions.setBackend(e.target.value as BackendName)}>
                {backend.available.map((name) => <option key={name} value={name}>{name}</option>)}
              </select>
            </label>
            <span className="adapter" data-testid="adapter">{backend.adapter}</span>
          </>
        ) : (
          <span className="muted">Starting TensorFlow.js…</span>
        )}
        {phase === 'error' && <button type="button" data-testid="restart-button" onClick={() => void restartTrainer()}>Restart</button>}
      </div>
      {backend?.note && <p className="backend-note" data-testid="backend-note" role="note">{backend.note}</p>}
    </header>
  );
}
