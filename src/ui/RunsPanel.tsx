// Every run kept in this browser (src/store/keptRuns.ts), newest first: its name (edit it in place),
// when it started, its data, how far it got and its last kNN and probe against its random init;
// pick two or more to compare them (src/panels/CompareRuns.tsx); resume one from its kept checkpoint;
// export a run as one file, import one (from another browser or machine), delete one. The storage the browser gives the page is shown, and a write that did not fit
// is said in words.
import { useRef, useState } from 'react';
import { CompareRuns } from '../panels/CompareRuns';
import { percent, points } from '../panels/figures';
import { useAppStore } from '../store/appStore';
import { actions } from '../store/trainerConnection';
import { deleteRun, editRun, exportRun, importRunFile, useRunLibrary } from '../store/keptRuns';
import { lastFigures, type KeptRun } from '../store/runLibrary';
import { isActivePhase } from '../worker/protocol';
import { formatBytes } from './format';

function Figures({ run }: { run: KeptRun }) {
  const figures = lastFigures(run);
  if (!figures)
    return (
      <td colSpan={2} className="muted">
        not evaluated
      </td>
    );
  return (
    <>
      <td title={`random init ${percent(figures.knnRandom)}`}>
        {percent(figures.knn)} ({points(figures.knn - figures.knnRandom)})
      </td>
      <td title={`random init ${percent(figures.probeRandom)}`}>
        {percent(figures.probe)} ({points(figures.probe - figures.probeRandom)})
      </td>
    </>
  );
}

/** A kept run's text (its name, its notes), edited in place: Enter or leaving the field keeps it,
 *  Escape drops the edit. */
function EditableText({
  value,
  label,
  placeholder,
  onCommit,
}: {
  value: string;
  label: string;
  placeholder?: string;
  onCommit(text: string): void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft !== null && draft.trim() !== value) onCommit(draft.trim());
    setDraft(null);
  };
  return (
    <input
      className="run-name"
      aria-label={label}
      placeholder={placeholder}
      value={draft ?? value}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setDraft(null);
      }}
    />
  );
}

export function RunsPanel() {
  const { runs, usage, note } = useRunLibrary();
  const training = useAppStore((s) => isActivePhase(s.status.phase)); // a paused run may be replaced: it stays kept
  const [picked, setPicked] = useState<string[]>([]);
  const importInput = useRef<HTMLInputElement>(null);
  const compared = runs.filter((r) => picked.includes(r.id));
  const pick = (id: string, on: boolean) => setPicked((ids) => (on ? [...ids, id] : ids.filter((x) => x !== id)));
  return (
    <section className="panel runs-panel" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      <div className="row">
        <button type="button" onClick={() => importInput.current?.click()}>
          Import a run…
        </button>
        <input
          ref={importInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-run"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importRunFile(file);
          }}
        />
      </div>
      <p className="muted" data-testid="runs-usage">
        {runs.length === 0
          ? 'Every run is kept in this browser from its first step: its settings, its data, every loss and every evaluation.'
          : `${runs.length} run${runs.length === 1 ? '' : 's'} kept in this browser`}
        {usage && usage.quota > 0 ? ` · the page's storage: ${formatBytes(usage.used)} of ${formatBytes(usage.quota)} used` : ''}
      </p>
      {note && (
        <p className="config-problems" role="alert" data-testid="runs-note">
          {note}
        </p>
      )}
      {runs.length > 0 && (
        <table className="quality-table runs-table" data-testid="runs-table">
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Name</th>
              <th scope="col">Started</th>
              <th scope="col">Data</th>
              <th scope="col">Steps</th>
              <th scope="col">kNN (vs init)</th>
              <th scope="col">Probe (vs init)</th>
              <th scope="col">
                <span className="sr-only">Resume, export and delete</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-testid="kept-run">
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Compare ${run.name}`}
                    checked={picked.includes(run.id)}
                    onChange={(e) => pick(run.id, e.target.checked)}
                  />
                </td>
                <td>
                  <EditableText value={run.name} label="Run name" onCommit={(name) => name !== '' && editRun(run.id, { name })} />
                  <EditableText
                    value={run.notes ?? ''}
                    label={`Notes on ${run.name}`}
                    placeholder="notes"
                    onCommit={(notes) => editRun(run.id, { notes })}
                  />
                </td>
                <td>{new Date(run.createdAt).toLocaleString()}</td>
                <td>
                  {run.dataset.source} ({run.dataset.images})
                </td>
                <td>
                  {run.step} / {run.totalSteps}
                </td>
                <Figures run={run} />
                <td className="row">
                  {run.checkpointStep !== undefined && (
                    <button
                      type="button"
                      aria-label={`Resume ${run.name}`}
                      title={`Continue this run from its checkpoint at step ${run.checkpointStep}`}
                      disabled={training}
                      onClick={() => void actions.resumeKeptRun(run)}
                    >
                      Resume
                    </button>
                  )}
                  {run.checkpointStep !== undefined && (
                    <button
                      type="button"
                      aria-label={`Evaluate ${run.name}`}
                      title={`Evaluate this run again at its checkpoint (step ${run.checkpointStep}) on the images loaded now`}
                      disabled={training}
                      onClick={() => void actions.evaluateKeptRun(run)}
                    >
                      Evaluate
                    </button>
                  )}
                  <button type="button" aria-label={`Export ${run.name}`} onClick={() => exportRun(run)}>
                    Export
                  </button>
                  <button type="button" aria-label={`Delete ${run.name}`} onClick={() => deleteRun(run.id)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {runs.length > 1 && compared.length < 2 && <p className="muted">Tick two or more runs to compare them.</p>}
      {compared.length >= 2 && <CompareRuns runs={compared} />}
    </section>
  );
}
