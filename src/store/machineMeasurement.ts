// The startup measurement as the page runs it: recalled from this browser when it remembers this
// machine, else timed in fresh workers (../client/backendChoice.ts) with the figures shown live, then
// remembered.
import { measureBackends } from '../client/backendChoice';
import { machineKey, recallMeasurement, rememberMeasurement, type Measurement } from '../client/rememberedMeasurement';
import { probeWorkerOpener, type LeaderWorker } from '../client/workers';
import type { GpuHints } from '../worker/backends/gpuAdapter';
import { useAppStore, type StartupState, type StartupTimeline } from './appStore';
import { localStore } from './localStore';
import { readSettingsFromUrl, runOverrides, type RunOverrides } from './url';
import { call } from './workerCall';
import type { IJepaConfig } from '../ijepa/config';
import { isActivePhase, type BackendName } from '../worker/protocol';

const store = useAppStore;

/** Notes when `moment` first happened after this page loaded (the page's clock: ms since navigation). */
export function markStartup(moment: keyof StartupTimeline): void {
  if (store.getState().startup.timeline[moment] !== null) return;
  const now = performance.now();
  store.setState((s) => ({ startup: { ...s.startup, timeline: { ...s.startup.timeline, [moment]: now } } }));
}

let measurements = 0; // measurements started on this page: only the newest shows

/** Times every backend on this machine (a few seconds: the first in `leader`, the training worker, the
 *  others in fresh workers) unless the link chose both the backend and the preset (`gpus` null: nothing
 *  to measure), or this browser remembers a measurement of this machine (`remeasure`: not that); shows
 *  the figures live. `onLeaderReady`: the first backend and its presets are measured in `leader`, which
 *  the page may now open on while the other backends are timed (../client/backendChoice.ts). */
export async function measureThisMachine(
  overrides: RunOverrides,
  gpus: GpuHints | null,
  onLeaderMeasured: () => void,
  remeasure: boolean,
  leader: LeaderWorker,
  onLeaderReady: (provisional: Measurement) => void = () => {},
): Promise<Measurement | null> {
  const generation = ++measurements;
  if (!gpus) return null;
  // a Restart meanwhile (a lost device) measures afresh: this one's last trials no longer show
  const setStartup = (patch: Partial<StartupState>) => {
    if (generation === measurements) store.setState((s) => ({ startup: { ...s.startup, ...patch } }));
  };
  const key = machineKey({
    userAgent: navigator.userAgent,
    cores: navigator.hardwareConcurrency || 1,
    isolated: window.crossOriginIsolated,
    gpus,
    backend: overrides.backend,
    wasmThreads: overrides.wasmThreads,
  });
  const storage = localStore();
  const remembered = storage && !remeasure ? recallMeasurement(storage, key, Date.now()) : null;
  if (remembered) {
    setStartup({ measuring: false, note: '', trials: remembered.trials, measurement: remembered });
    markStartup('measured');
    markStartup('allMeasured');
    return remembered;
  }
  setStartup({ measuring: true, note: 'Measuring this machine…', trials: [], measurement: null });
  try {
    const measurement = await measureBackends(probeWorkerOpener(overrides.wasmThreads, leader), {
      candidates: overrides.backend ? [overrides.backend] : undefined,
      gpus,
      onProgress: (trials, note) => setStartup({ trials, note }),
      onLeaderMeasured,
      onLeaderReady: (provisional) => {
        setStartup({ trials: provisional.trials, measurement: provisional });
        markStartup('measured'); // what the page opens on is measured
        onLeaderReady(provisional);
      },
    });
    setStartup({ measuring: false, note: '', trials: measurement.trials, measurement });
    markStartup('measured');
    markStartup('allMeasured');
    if (storage) rememberMeasurement(storage, key, measurement, Date.now());
    return measurement;
  } catch (error) {
    setStartup({ measuring: false, note: '' });
    store
      .getState()
      .notify(
        `Measuring the backends failed (${error instanceof Error ? error.message : String(error)}); starting with the first that works.`,
      );
    return null;
  }
}

/** What the page does when the measurement ends after it opened on the first backend's figures: keep
 *  (the same choice, or what differs the link chose), adopt the final choice (nothing trained yet: the
 *  backend and the plan follow it), or tell (a run has begun, and switching the backend would reset
 *  it: the next visit, or Measure again, opens on it). */
export function afterMeasurement(
  openedOn: Measurement,
  final: Measurement,
  link: Pick<RunOverrides, 'backend' | 'presetFromLink'>,
  runUntouched: boolean,
): 'keep' | 'adopt' | 'tell' {
  const backendChanged = !link.backend && final.chosen !== openedOn.chosen;
  const presetChanged = !link.presetFromLink && final.defaultPreset !== openedOn.defaultPreset;
  if (!backendChanged && !presetChanged) return 'keep';
  return runUntouched ? 'adopt' : 'tell';
}

/** What the page asks of its trainer to follow a later choice. */
type Trainer = { setBackend(name: BackendName): Promise<unknown>; configure(config: IJepaConfig): Promise<unknown> };

/** The measurement ended after the page opened on its first backend's figures (`openedOn`) in
 *  `trainer` (`current`: still the page's): where it chose otherwise, an untouched run follows it (the
 *  backend, and the preset and plan it measured); a run that has begun is left as it is, and the person
 *  told. */
export async function adoptMeasurement(
  openedOn: Measurement,
  final: Measurement | null,
  trainer: Trainer,
  current: () => boolean,
): Promise<void> {
  if (!final || final === openedOn || !current()) return; // the same figures, or the trainer was restarted meanwhile
  // the backends offered: those the page opened before had tried count until they fail to start
  store.setState((s) => ({ backend: s.backend && { ...s.backend, available: final.available } }));
  const { status, workerReady } = store.getState();
  const overrides = runOverrides(window.location.search); // as it is now: a backend switched meanwhile is in it
  const untouched = workerReady && status.step === 0 && !isActivePhase(status.phase);
  const what = afterMeasurement(openedOn, final, overrides, untouched);
  if (what === 'tell')
    store
      .getState()
      .notify(
        `The measurement finished while this run trained: ${final.chosen}, ${final.defaultPreset} is what it chose for this machine. ` +
          'This run stays as it is; the Backend menu switches now (the run starts over), and the next visit opens on that.',
      );
  if (what !== 'adopt') return;
  store.setState({ workerReady: false }); // Train waits for the switch
  try {
    if (final.chosen !== store.getState().backend?.name) await call('Switching backend', () => trainer.setBackend(final.chosen));
    readSettingsFromUrl(overrides.presetFromLink ? undefined : final.defaultPreset); // planned at the final figures
    const { config } = store.getState();
    store.setState({ appliedConfig: JSON.stringify(config) });
    await call('Applying the measured settings', () => trainer.configure(config));
  } finally {
    store.setState({ workerReady: true });
  }
}
