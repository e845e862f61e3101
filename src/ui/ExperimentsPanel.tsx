// Experiments: variants of the current settings trained one after another on the same images and
// seed (src/store/experimentQueue.ts): the paper's masking and target ablations in one click, or any
// one setting varied over a few values. While one runs: its progress, Pause / Resume / Stop; its
// table (laid out like the paper's, each run's kNN and probe against its own random init) and the
// comparison charts of its runs, which are kept and listed in the Runs panel like every run.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { CONFIG_FIELDS, CONFIG_KEYS, PRESETS, type IJepaConfig } from '../ijepa/config';
import { CompareRuns } from '../panels/CompareRuns';
import { percent, points } from '../panels/figures';
import { useAppStore, type AppState } from '../store/appStore';
import {
  dismissExperiment,
  pauseExperiment,
  resumeExperiment,
  startExperiment,
  stopExperiment,
  useExperiment,
} from '../store/experimentQueue';
import {
  ABLATIONS_NAME,
  experimentRows,
  oneFieldVaried,
  PAPER_ABLATIONS,
  parseNumberList,
  variantsProblem,
  type Experiment,
  type Variant,
  type VariedKey,
} from '../store/experiments';
import { useRunLibrary } from '../store/keptRuns';
import { datasetOf } from '../store/runLibrary';
import { isActivePhase } from '../worker/protocol';
import { formatDuration } from './format';
import { CHOICE_KEYS, CHOICES } from './settingChoices';

/** The settings one may vary: the named choices, RandomResizedCrop, and the form's numbers. */
const NUMBER_KEYS = CONFIG_KEYS.filter((key) => CONFIG_FIELDS[key].form && typeof PRESETS.micro[key] === 'number');
const VARIED_KEYS: VariedKey[] = [...CHOICE_KEYS, 'randomResizedCrop', ...NUMBER_KEYS];
const optionsOf = (key: VariedKey): Record<string, string> | null =>
  key === 'randomResizedCrop' ? { on: 'on', off: 'off' } : key in CHOICES ? CHOICES[key as keyof typeof CHOICES].options : null;
const valueOf = (key: VariedKey, option: string) => (key === 'randomResizedCrop' ? option === 'on' : option) as IJepaConfig[VariedKey];

/** Seconds of training a run of these settings takes at the speed the page measured (null: not measured). */
function runSeconds(state: Pick<AppState, 'startup' | 'preset' | 'config'>): number | null {
  const speed = state.startup.measurement?.presets.find((p) => p.preset === state.preset && p.measured);
  return speed ? state.config.totalSteps / speed.stepsPerSec : null;
}

/** What the form needs of the page (not its per-step numbers: it is drawn again only when these change). */
const formState = (s: AppState) => ({
  config: s.config,
  preset: s.preset,
  recipe: s.recipe,
  startup: s.startup,
  ready: s.workerReady && s.configProblems.length === 0 && (s.dataset?.count ?? 0) > 0 && !isActivePhase(s.status.phase),
});

function useQueue(): (name: string, variants: readonly Variant[]) => void {
  return (name, variants) => {
    const s = useAppStore.getState();
    try {
      void startExperiment({
        name,
        preset: s.preset,
        recipe: s.recipe,
        base: s.config,
        variants,
        evalEvery: s.evalEvery,
        dataset: datasetOf(s.dataset),
      });
    } catch (error) {
      s.notify(`The experiment did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

function NewExperiment() {
  const state = useAppStore(useShallow(formState));
  const queue = useQueue();
  const [key, setKey] = useState<VariedKey>('lr');
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [problem, setProblem] = useState('');
  const { ready } = state;
  const seconds = runSeconds(state);
  const each = seconds === null ? '' : `, about ${formatDuration(seconds)} of training each`;
  const options = optionsOf(key);
  const values = options ? picked.map((o) => valueOf(key, o)) : parseNumberList(text || `${state.config[key]}`).values;
  const queueVaried = () => {
    const parsed = options ? { problem: picked.length < 2 ? 'pick two values or more' : null } : parseNumberList(text);
    const variants = oneFieldVaried(key, values);
    const trouble = parsed.problem ?? variantsProblem(state.config, variants);
    setProblem(trouble ?? '');
    if (!trouble) queue(`${CONFIG_FIELDS[key].form?.label ?? key} varied`, variants);
  };
  return (
    <>
      <p className="muted">
        Train variants of the current settings one after another, on the same images and seed, evaluated at the same steps. Every run is
        kept in the list below; a reload goes on where it was.{!ready && ' (Pause the run, with valid settings and images, to start one.)'}
      </p>
      <div className="row">
        <button
          type="button"
          data-testid="queue-ablations"
          disabled={!ready}
          title="Multi-block, rasterized, block and random masks predicting representations, and multi-block masks predicting pixels (the paper's Tables 6 and 7)"
          onClick={() => queue(ABLATIONS_NAME, PAPER_ABLATIONS)}
        >
          Reproduce the paper&apos;s masking and target ablations
        </button>
        <span className="muted">
          {PAPER_ABLATIONS.length} runs of {state.config.totalSteps} steps ({state.preset}, {state.recipe} recipe){each}
        </span>
      </div>
      <div className="row">
        <label>
          <span>Vary</span>{' '}
          <select
            data-testid="vary-field"
            value={key}
            onChange={(e) => {
              setKey(e.target.value as VariedKey);
              setPicked([]);
              setText('');
              setProblem('');
            }}
          >
            {VARIED_KEYS.map((k) => (
              <option key={k} value={k}>
                {CONFIG_FIELDS[k].form?.label ?? k}
              </option>
            ))}
          </select>
        </label>
        {options ? (
          Object.entries(options).map(([option, label]) => (
            <label key={option}>
              <input
                type="checkbox"
                checked={picked.includes(option)}
                onChange={(e) => setPicked((p) => (e.target.checked ? [...p, option] : p.filter((o) => o !== option)))}
              />{' '}
              {label}
            </label>
          ))
        ) : (
          <input
            data-testid="vary-values"
            aria-label="Values, separated by commas"
            placeholder={`e.g. ${state.config[key] as number}, ${(state.config[key] as number) * 2}`}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        )}
        <button type="button" data-testid="queue-varied" disabled={!ready} onClick={queueVaried}>
          Queue {Math.max(values.length, 2)} runs
        </button>
      </div>
      {problem && (
        <p className="config-problems" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}

function Progress({ experiment }: { experiment: Experiment }) {
  const status = useAppStore((s) => s.status);
  const training = isActivePhase(status.phase);
  const variant = experiment.variants[experiment.index];
  const where =
    experiment.state === 'done'
      ? `Done: ${experiment.variants.length} runs trained.`
      : experiment.state === 'stopped'
        ? `Stopped at run ${experiment.index + 1} of ${experiment.variants.length}.`
        : `Run ${experiment.index + 1} of ${experiment.variants.length} (${variant.label}): step ${status.step} / ${status.totalSteps}${training ? '' : experiment.paused ? ', paused' : ''}.`;
  return (
    <div className="row" data-testid="experiment-progress">
      <strong>{experiment.name}</strong> <span>{where}</span>
      {experiment.state === 'running' && !experiment.paused && (
        <button type="button" onClick={() => void pauseExperiment()}>
          Pause
        </button>
      )}
      {experiment.state === 'running' && (experiment.paused || !training) && (
        <button type="button" data-testid="experiment-resume" onClick={() => void resumeExperiment()}>
          Resume
        </button>
      )}
      {experiment.state === 'running' ? (
        <button type="button" onClick={() => void stopExperiment()}>
          Stop
        </button>
      ) : (
        <button type="button" onClick={dismissExperiment}>
          Close
        </button>
      )}
    </div>
  );
}

function ExperimentView({ experiment }: { experiment: Experiment }) {
  const runs = useRunLibrary((s) => s.runs);
  const rows = experimentRows(experiment, runs);
  const paper = experiment.variants.some((v) => v.paper);
  const kept = rows.flatMap((r) => (r.run ? [{ ...r.run, name: r.variant.label }] : [])); // compared under their variants' names
  const figure = (value: number | null, gain: number | null) =>
    value === null || gain === null ? '—' : `${points(gain)} (${percent(value)})`;
  return (
    <>
      <Progress experiment={experiment} />
      {experiment.note && (
        <p className="config-problems" role="status" data-testid="experiment-note">
          {experiment.note}
        </p>
      )}
      <table className="quality-table" data-testid="experiment-table">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            {paper && <th scope="col">The paper (probe, 1% of ImageNet)</th>}
            <th scope="col">Steps</th>
            <th scope="col">kNN vs init (trained)</th>
            <th scope="col">Probe vs init (trained)</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.variant.label} data-testid="experiment-row">
              <th scope="row">{row.variant.label}</th>
              {paper && <td>{row.variant.paper ?? ''}</td>}
              <td>{row.run ? `${row.run.step} / ${row.run.totalSteps}` : '—'}</td>
              <td>{figure(row.knn, row.knnGain)}</td>
              <td>{figure(row.probe, row.probeGain)}</td>
              <td>{row.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {paper && (
        <p className="muted">
          The paper&apos;s figures are ViT-B/16 (masks) and ViT-L/16 (targets) trained for hundreds of epochs on ImageNet; here, a few
          minutes on this folder. Gains are in points over each run&apos;s own random init, at its last evaluation.
        </p>
      )}
      {kept.length >= 2 && <CompareRuns runs={kept} />}
    </>
  );
}

export function ExperimentsPanel() {
  const experiment = useExperiment((s) => s.experiment);
  return (
    <section className="panel experiments-panel" aria-labelledby="experiments-heading" data-testid="experiments-panel">
      <h2 id="experiments-heading">Experiments</h2>
      {experiment ? <ExperimentView experiment={experiment} /> : <NewExperiment />}
    </section>
  );
}
