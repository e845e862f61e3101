// Data in: drop folders or files, pick them with the keyboard, watch the import, see the dataset.
import { useRef, useState, type DragEvent } from 'react';
import { describeSkipped } from '../data/fileKinds';
import { DIGITS_LICENCE } from '../data/digits';
import { filesFromDrop, filesFromList } from '../data/files';
import { useAppStore } from '../store/appStore';
import { actions } from '../store/trainerConnection';
import { formatBytes } from './format';
import { RgbCanvas } from '../panels/RgbCanvas';
import type { DatasetSummary } from '../worker/protocol';

function ImportProgressBar() {
  const progress = useAppStore((s) => s.importProgress);
  if (!progress?.running) return null;
  return (
    <div className="import-progress" data-testid="import-progress">
      <progress max={progress.total} value={progress.done} />
      <span>
        {progress.done} / {progress.total} · {progress.imagesPerSec.toFixed(0)} images/s · {progress.decoders} decoder
        {progress.decoders === 1 ? '' : 's'} · you can train on what is in already
      </span>
      <button type="button" onClick={() => void actions.cancelImport()}>
        Cancel
      </button>
    </div>
  );
}

const SOURCE_NOTE: Record<DatasetSummary['source'], string> = {
  patterns: '(built-in patterns)',
  digits: '(MNIST digits, built in)',
  files: '',
  empty: '',
};

function DatasetSummaryView() {
  const dataset = useAppStore((s) => s.dataset);
  if (!dataset) return <p className="muted">Preparing the built-in images…</p>;
  const skippedText = describeSkipped(dataset.skipped);
  return (
    <div className="dataset-summary">
      <p data-testid="dataset-count">
        <strong>{dataset.count}</strong> images {SOURCE_NOTE[dataset.source]} · {dataset.side}×{dataset.side} px ·{' '}
        <span data-testid="dataset-bytes">{formatBytes(dataset.bytes)}</span> in memory
      </p>
      {dataset.source === 'digits' && (
        <p className="muted note" data-testid="dataset-licence">
          {DIGITS_LICENCE}.
        </p>
      )}
      {dataset.classes.length > 0 && (
        <table className="class-table" data-testid="class-table">
          <tbody>
            {dataset.classes.map((c) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td>{c.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {skippedText && (
        <details className="skipped" data-testid="skipped" open>
          <summary>{skippedText}</summary>
          <ul>
            {dataset.skipped.map((s) => (
              <li key={s.path}>
                {s.path} — {s.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="thumbs" data-testid="thumbnails">
        {dataset.thumbnails.map((t) => (
          <button
            key={t.index}
            type="button"
            className="thumb-button"
            title="Show its nearest neighbours"
            onClick={() => void actions.showNeighbours(t.index)}
          >
            <RgbCanvas rgb={t.rgb} side={dataset.side} label={t.label ?? 'unlabelled image'} className="thumb" />
          </button>
        ))}
      </div>
    </div>
  );
}

export function DatasetPanel() {
  const [dragging, setDragging] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const onDrop = async (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const unreadable: string[] = [];
    const files = await filesFromDrop(event.dataTransfer, unreadable);
    await actions.addFiles(files, unreadable);
  };
  const onPick = async (list: FileList | null, input: HTMLInputElement | null) => {
    if (!list) return;
    await actions.addFiles(filesFromList(list));
    if (input) input.value = ''; // picking the same folder again imports it again
  };

  return (
    <section className="panel dataset-panel" aria-labelledby="dataset-heading">
      <h2 id="dataset-heading">Dataset</h2>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => void onDrop(e)}
      >
        <p>Drop folders or images here. Subfolder names become class labels.</p>
        <div className="row">
          <button type="button" onClick={() => folderInput.current?.click()}>
            Choose folder…
          </button>
          <button type="button" onClick={() => fileInput.current?.click()}>
            Choose files…
          </button>
          <button type="button" onClick={() => void actions.useBuiltin('digits')} title={DIGITS_LICENCE}>
            MNIST digits
          </button>
          <button type="button" onClick={() => void actions.useBuiltin('patterns')} title="procedural patterns, drawn in the page">
            Patterns
          </button>
          <button type="button" onClick={() => void actions.clearDataset()}>
            Clear
          </button>
        </div>
        <input
          ref={folderInput}
          data-testid="folder-input"
          type="file"
          hidden
          multiple
          {...{ webkitdirectory: '', directory: '' }}
          onChange={(e) => void onPick(e.target.files, e.target)}
        />
        <input
          ref={fileInput}
          data-testid="file-input"
          type="file"
          hidden
          multiple
          accept="image/*"
          onChange={(e) => void onPick(e.target.files, e.target)}
        />
      </div>
      <ImportProgressBar />
      <DatasetSummaryView />
    </section>
  );
}
