// Keep and share a run: export the checkpoint (reference names), the target encoder alone, the
// run for the reference trainer (.pth.tar + the YAML that resumes it), the config as the reference's
// YAML, the metrics as CSV and the panels as PNG; import a checkpoint (ours or the reference's).
import { useRef } from 'react';
import type { IJepaConfig } from '../ijepa/config';
import { referenceYaml } from '../ijepa/referenceYaml';
import { referenceModelOf } from '../ijepa/torch/referenceModels';
import { useAppStore } from '../store/appStore';
import { metricsCsv } from '../store/exportCsv';
import { runHistory } from '../store/metrics';
import { actions } from '../store/trainerConnection';
import { download } from '../store/download';
import { panelsPng } from './panelsPng';

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

export function KeepPanel() {
  const ready = useAppStore((s) => s.workerReady);
  const step = useAppStore((s) => s.status.step);
  const autosaveEvery = useAppStore((s) => s.autosaveEvery);
  const config = useAppStore((s) => s.config);
  const importInput = useRef<HTMLInputElement>(null);
  const name = (what: string, ext: string) => `ijepa-${what}-step${step}-${stamp()}.${ext}`;

  const exportCheckpoint = async (kind: 'full' | 'target') => {
    const bytes = await actions.checkpointBytes(kind);
    if (bytes) download(bytes, name(kind === 'full' ? 'checkpoint' : 'target-encoder', 'safetensors'));
  };
  const exportForReference = async () => {
    const files = await actions.exportForReference();
    if (!files) return;
    download(files.checkpoint, files.checkpointName);
    download(files.yaml, files.yamlName, 'text/yaml');
  };
  const exportYaml = () => {
    const { config, dataset } = useAppStore.getState();
    download(referenceYaml(config, dataset?.count ?? 0), name('config', 'yaml'), 'text/yaml');
  };
  const exportCsv = () => {
    const { quality } = useAppStore.getState();
    download(
      metricsCsv(
        runHistory,
        quality.map((q) => q.record),
        quality[0]?.baseline ?? null,
      ),
      name('metrics', 'csv'),
      'text/csv',
    );
  };
  const exportPng = async () => {
    const png = await panelsPng();
    if (png) download(png, name('panels', 'png'), 'image/png');
    else useAppStore.getState().notify('Nothing to export: show the live panels and train a step first.');
  };

  return (
    <section className="panel keep-panel" aria-labelledby="keep-heading">
      <h2 id="keep-heading">Keep and share</h2>
      <div className="row">
        <button type="button" data-testid="export-checkpoint" disabled={!ready} onClick={() => void exportCheckpoint('full')}>
          Checkpoint (.safetensors)
        </button>
        <button type="button" data-testid="export-target" disabled={!ready} onClick={() => void exportCheckpoint('target')}>
          Target encoder
        </button>
        <button type="button" data-testid="export-reference" disabled={!ready} onClick={() => void exportForReference()}>
          For the reference trainer (.pth.tar + YAML)
        </button>
        <button type="button" data-testid="export-yaml" onClick={exportYaml}>
          Config (YAML)
        </button>
        <button type="button" data-testid="export-csv" onClick={exportCsv}>
          Metrics (CSV)
        </button>
        <button type="button" data-testid="export-png" onClick={() => void exportPng()}>
          Panels (PNG)
        </button>
        <button type="button" data-testid="import-checkpoint" disabled={!ready} onClick={() => importInput.current?.click()}>
          Import checkpoint…
        </button>
        <input
          ref={importInput}
          type="file"
          hidden
          accept=".safetensors,.tar,.pth,.pt"
          data-testid="import-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void actions.importCheckpoint(file);
            e.target.value = '';
          }}
        />
      </div>
      <ReferenceNote config={config} />
      <p className="muted">
        Checkpoints (.safetensors) use the reference&apos;s PyTorch names and layouts (encoder, target_encoder, predictor) with the
        optimizer state and the metric history; Config (YAML) alone starts a fresh run with the reference trainer. The run is saved in this
        browser every {autosaveEvery} steps and on pause, and offered for resume after a reload.
      </p>
    </section>
  );
}

/** Whether the reference trainer can continue this run: only its named model sizes can. */
function ReferenceNote({ config }: { config: IJepaConfig }) {
  const model = referenceModelOf(config);
  return model ? (
    <p className="muted" data-testid="reference-note">
      This run is the reference&apos;s <strong>{model}</strong>: its .pth.tar and YAML continue it in the reference trainer (how: the
      repository's docs/CONTINUE_AT_SCALE.md). Import takes .pth.tar files from the reference trainer too.
    </p>
  ) : (
    <p className="muted" data-testid="reference-note">
      <strong>Not a reference model</strong> ({config.embedDim} wide, {config.depth} blocks, {config.numHeads} heads): the reference trainer
      only builds its named sizes, so it cannot load this run&apos;s .pth.tar (PyTorch can) and its YAML starts afresh. Choose the vit_tiny
      preset to continue a run at scale.
    </p>
  );
}

export function ResumeBanner() {
  const saved = useAppStore((s) => s.savedRun);
  if (!saved) return null;
  const when = new Date(saved.savedAt).toLocaleString();
  const data =
    saved.datasetSource === 'files'
      ? ` It trained on ${saved.datasetCount} of your images: add the same folder again before resuming to continue on them.`
      : '';
  return (
    <div className="resume-banner" role="dialog" aria-label="Resume the saved run" data-testid="resume-banner">
      <p>
        A saved run was found: step {saved.step} of {saved.config.totalSteps}, saved {when}.{data}
      </p>
      <button type="button" className="primary" data-testid="resume-button" onClick={() => void actions.resumeSavedRun()}>
        Resume
      </button>
      <button type="button" data-testid="discard-button" onClick={() => void actions.discardSavedRun()}>
        Discard
      </button>
    </div>
  );
}
