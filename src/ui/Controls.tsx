// Run control: Train / Pause / Resume / Step / Reset, with keyboard shortcuts
// (Space: train, pause or resume; N: one step; R: reset).
import { useEffect } from 'react';
import { useAppStore, useCanTrain, useIsRunning, usePhase } from '../store/appStore';
import { isActivePhase, type Phase } from '../worker/protocol';
import { actions } from '../store/trainerConnection';

function primaryAction(phase: Phase, step: number): { label: string; run: () => unknown } {
  if (isActivePhase(phase)) return { label: 'Pause', run: actions.pause };
  return { label: step > 0 && phase !== 'done' ? 'Resume' : 'Train', run: actions.train };
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

export function Controls() {
  const phase = usePhase();
  const step = useAppStore((s) => s.status.step);
  const ready = useAppStore((s) => s.workerReady);
  const canTrain = useCanTrain();
  const running = useIsRunning();
  const panelsVisible = useAppStore((s) => s.panelsVisible);
  const setPanelsVisible = useAppStore((s) => s.setPanelsVisible);
  const primary = primaryAction(phase, step);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey || !ready) return;
      if (event.code === 'Space') {
        event.preventDefault();
        if (running || canTrain) void primaryAction(phase, step).run();
      } else if (event.key === 'n' || event.key === 'N') {
        if (!running && canTrain) void actions.step();
      } else if (event.key === 'r' || event.key === 'R') {
        void actions.reset();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [phase, step, ready, running, canTrain]);

  return (
    <div className="controls" role="toolbar" aria-label="Run controls">
      <button
        type="button"
        className="primary"
        data-testid="train-button"
        disabled={!running && !canTrain}
        onClick={() => void primary.run()}
        title="Space"
      >
        {primary.label}
      </button>
      <button type="button" data-testid="step-button" disabled={running || !canTrain} onClick={() => void actions.step()} title="N">
        Step
      </button>
      <button type="button" data-testid="reset-button" disabled={!ready} onClick={() => void actions.reset()} title="R">
        Reset
      </button>
      <label className="row panels-toggle">
        <input type="checkbox" data-testid="panels-toggle" checked={panelsVisible} onChange={(e) => setPanelsVisible(e.target.checked)} />{' '}
        Live panels
      </label>
      <span className="muted shortcuts">Space train/pause · N step · R reset</span>
    </div>
  );
}
