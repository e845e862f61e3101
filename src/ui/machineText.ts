// The startup measurement in words, for the header: what each backend did here, which one was
// chosen, and what each preset costs on it.
import type { BackendMeasurement, BackendTrial, PresetSpeed } from '../client/backendChoice';
import { LIVE_STEPS_PER_SEC, MIN_SHADERS_PER_STEP } from '../client/backendChoice';
import type { BackendName } from '../worker/protocol';
import { formatRate } from './format';

const BACKEND_LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

export function backendLabel(name: BackendName, isSoftware = false, threads: number | null = null): string {
  const details = [isSoftware ? 'software' : '', threads ? `${threads} thread${threads === 1 ? '' : 's'}` : ''].filter(Boolean);
  return details.length > 0 ? `${BACKEND_LABEL[name]} (${details.join(', ')})` : BACKEND_LABEL[name];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : seconds(ms));

export function describeTrial(trial: BackendTrial): string {
  const label = backendLabel(trial.name, trial.isSoftware, trial.threads);
  if (trial.outcome === 'unavailable') return `${label}: not available`;
  if (trial.outcome === 'failed') return `${label}: failed`;
  if (trial.outcome === 'skipped')
    return trial.name === 'webgl'
      ? `${label}: not timed (it renders on the CPU, as WebGPU here, which was stopped)`
      : `${label}: not timed (WASM runs its kernels compiled)`;
  if (trial.stepsPerSec !== null)
    return `${label} ${formatRate(trial.stepsPerSec)} steps/s${trial.outcome === 'stopped' ? ' (stopped: clearly slower)' : ''}`;
  if (trial.firstStepMs !== null) return `${label}: first step ${seconds(trial.firstStepMs)}, stopped`;
  if (trial.shaderMs !== null)
    return `${label}: its first shader took over ${duration(trial.shaderMs)} (a step compiles over ${MIN_SHADERS_PER_STEP}), stopped`;
  if (trial.outcome === 'stopped' && !trial.adapter) return `${label}: did not start within ${seconds(trial.elapsedMs)}, stopped`;
  return `${label}: no step within ${seconds(trial.elapsedMs)}, stopped`;
}

/** "WASM (2 threads) 4.6 steps/s · WebGPU (software): no step within 1.3 s, stopped → WASM" */
export function describeBackends(measurement: BackendMeasurement): string {
  const chosen = measurement.trials.find((t) => t.name === measurement.chosen);
  const winner = chosen ? backendLabel(chosen.name, chosen.isSoftware) : measurement.chosen;
  return `${measurement.trials.map(describeTrial).join(' · ')} → ${winner}`;
}

export function describePreset(speed: PresetSpeed): string {
  return `${speed.preset} ${speed.measured ? '' : '≈ '}${formatRate(speed.stepsPerSec)} steps/s${speed.measured ? '' : ' (estimated)'}`;
}

/** What each preset's default run (the browser recipe's model) trains at here, and why the page opened on its preset (`linkPreset`: the link chose). */
export function describePresets(measurement: BackendMeasurement, linkPreset: string | null): string {
  const speeds = `Default runs on ${BACKEND_LABEL[measurement.chosen]}: ${measurement.presets.map(describePreset).join(' · ')}.`;
  const live = `the largest preset that trains at ≥ ${LIVE_STEPS_PER_SEC} steps/s here`;
  return linkPreset
    ? `${speeds} The link chose ${linkPreset}; ${live} is ${measurement.defaultPreset}.`
    : `${speeds} The page opened on ${measurement.defaultPreset}, ${live}.`;
}
