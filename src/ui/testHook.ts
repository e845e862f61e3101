// A small read-only view of the page's state on `window.__ijepa`, for end-to-end tests and curious
// people in the console. With ?testHooks=1 it also offers `forceNaN()`.
import { useAppStore } from '../store/appStore';
import { runHistory } from '../store/metrics';
import { actions } from '../store/trainerConnection';

export function installTestHook(): void {
  const withActions = new URLSearchParams(window.location.search).has('testHooks');
  const hook = {
    status: () => structuredClone(useAppStore.getState().status),
    backend: () => structuredClone(useAppStore.getState().backend),
    dataset: () => {
      const d = useAppStore.getState().dataset;
      return d && { count: d.count, classes: d.classes, skipped: d.skipped, bytes: d.bytes, side: d.side, source: d.source };
    },
    live: () => structuredClone(useAppStore.getState().live),
    losses: () => Array.from(runHistory.series.loss.values()),
    steps: () => Array.from(runHistory.series.step.values()),
    momentum: () => Array.from(runHistory.series.momentum.values()),
    ...(withActions ? { forceNaN: () => actions.forceNaN() } : {}),
  };
  Object.defineProperty(window, '__ijepa', { value: Object.freeze(hook), configurable: false, writable: false });
}
