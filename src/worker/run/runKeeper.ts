// Keeps what a run produces beyond its weights: the per-step metric log, the evaluation history
// (with its random-init baseline), and turns the whole run into a checkpoint and back, for export,
// import and the IndexedDB autosave that lets a reload resume exactly where it was.
import { EXTRA_PREFIX, checkpointConfig, exportCheckpoint, parseCheckpoint, trainerFromCheckpoint } from '../../ijepa/checkpoint';
import type { IJepaConfig } from '../../ijepa/config';
import { collapseVerdict, type EvalRecord } from '../../ijepa/diagnostics';
import { referenceYaml } from '../../ijepa/referenceYaml';
import { readSafetensors } from '../../ijepa/safetensors';
import { completedEpochs, exportReferenceCheckpoint, referenceCheckpointName } from '../../ijepa/torch/referenceExport';
import { parseReferenceCheckpoint } from '../../ijepa/torch/referenceImport';
import { iterationsPerEpoch } from '../../ijepa/torch/referenceModels';
import type { Trainer } from '../../ijepa/trainStep';
import { assertValidConfig } from '../../ijepa/validate';
import type { ImageStore } from '../../data/imageStore';
import type { Split } from '../../data/split';
import { yieldToEventLoop } from '../eventLoop';
import { Evaluator } from '../evaluation/evaluator';
import type { RunStorage } from './persistence';
import {
  STEP_FIELDS as FIELDS,
  type DatasetSummary,
  type PixelBaseline,
  type QualityUpdate,
  type RestoredRun,
  type SavedRunSummary,
  type StepColumns,
  type StepField,
  type StepRecord,
  type WorkerEvent,
} from '../protocol';
import { appendColumns, Series } from './series';

export type ExportKind = 'full' | 'target';

export interface ReferenceExport {
  checkpoint: Uint8Array; // .pth.tar
  checkpointName: string;
  yaml: string; // resumes from checkpointName
  yamlName: string;
}

interface Restored {
  trainer: Trainer;
  run: Omit<RestoredRun, 'status'>;
  summary: string; // the status line's first words
}

/** torch.save's files are zip archives; safetensors files start with their header's length. */
const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b;

const PROGRESS_INTERVAL_MS = 100; // evaluation progress reaches the page about ten times a second

/** The loss an evaluation is read beside: the mean of this many steps before it (the loss is noisy). */
const RECENT_LOSS_STEPS = 50;

export class RunKeeper {
  private columns = Object.fromEntries(FIELDS.map((f) => [f, new Series()])) as Record<StepField, Series>;
  private quality: QualityUpdate[] = [];
  readonly evaluator: Evaluator;
  evalEvery = 100; // steps between evaluations (0: only on request)
  autosaveEvery = 100; // steps between autosaves (0: only on pause)

  constructor(
    private readonly emit: (e: WorkerEvent) => void,
    private readonly storage: RunStorage,
    store: () => ImageStore,
    split: () => Split,
    private readonly dataset: () => Pick<DatasetSummary, 'source' | 'count'>,
  ) {
    this.evaluator = new Evaluator(store, split, undefined, storage);
  }

  log(record: StepRecord): void {
    for (const f of FIELDS) this.columns[f].push(record[f]);
  }

  get wallMs(): number {
    return this.columns.wallMs.last() ?? 0;
  }

  reset(): void {
    this.requested = null;
    for (const f of FIELDS) this.columns[f].clear();
    this.quality = [];
    this.evaluator.reset();
    this.settleWaiters();
  }

  isEvalDue = (step: number) => this.evalEvery > 0 && step % this.evalEvery === 0;
  isAutosaveDue = (step: number) => this.autosaveEvery > 0 && step > 0 && step % this.autosaveEvery === 0;

  get evaluating(): boolean {
    return this.evaluator.busy;
  }

  /** An evaluation of the run as it is now, to run in slices (false: one is still under way). */
  scheduleEvaluation(trainer: Trainer): boolean {
    const scheduled = this.evaluator.schedule(trainer.model, trainer.step, this.recentLoss());
    if (scheduled) this.emitProgress(true);
    return scheduled;
  }

  /** The mean loss of the last RECENT_LOSS_STEPS steps (null before the first step). */
  private recentLoss(): number | null {
    const recent = this.columns.loss.values().slice(-RECENT_LOSS_STEPS).filter(Number.isFinite);
    return recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : null;
  }

  private requested: Trainer | null = null; // came due while the previous evaluation still ran
  /** An evaluation due at this step: now, or (one still running) as soon as that one is done, at the
   *  step the run is at then (also while paused). */
  requestEvaluation(trainer: Trainer): void {
    this.requested = this.scheduleEvaluation(trainer) ? null : trainer;
  }

  cancelEvaluations(): void {
    this.requested = null;
    this.evaluator.cancel();
    this.emit({ type: 'evaluating', progress: null });
    this.settleWaiters();
  }

  private waiters: (() => void)[] = [];
  /** Resolves once no evaluation is under way. */
  evaluationsDone(): Promise<void> {
    return this.evaluator.busy ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve();
  }
  private settleWaiters(): void {
    if (this.evaluator.busy) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Evaluation slices for about `budgetMs` (at least one): between training steps, or back to back
   *  while the run is paused. */
  async evaluateFor(budgetMs: number): Promise<void> {
    const started = performance.now();
    do {
      await yieldToEventLoop(); // a Pause or Reset between two slices takes effect at once
      const update = await this.evaluator.runSlice();
      if (update) {
        this.quality.push(update);
        this.emit({ type: 'quality', update });
      }
      this.emitProgress(!this.evaluator.busy);
    } while (this.evaluator.busy && performance.now() - started < budgetMs);
    if (this.requested) this.requestEvaluation(this.requested);
    this.settleWaiters();
  }

  private lastProgress = 0;
  private emitProgress(force: boolean): void {
    if (!force && performance.now() - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = performance.now();
    this.emit({ type: 'evaluating', progress: this.evaluator.progress() });
  }

  /** The run as safetensors: everything (weights, moments, step, metrics), or the target encoder alone. */
  async checkpointBytes(trainer: Trainer, kind: ExportKind): Promise<Uint8Array> {
    if (kind === 'target') return exportCheckpoint(trainer, { modules: ['target_encoder'], includeOptimizer: false });
    const history = {
      records: this.quality.map((q) => q.record),
      baseline: this.quality[0]?.baseline ?? null,
      pixels: this.quality.at(-1)?.pixels ?? null,
    };
    return exportCheckpoint(trainer, {
      extraTensors: FIELDS.map((f) => [
        `${EXTRA_PREFIX}${f}`,
        { dtype: 'F32', shape: [this.columns[f].length], data: Float32Array.from(this.columns[f].values()) },
      ]),
      extraMetadata: { quality_history: JSON.stringify(history) },
    });
  }

  /** The run for the reference trainer: its checkpoint file and the YAML that resumes from it. */
  async referenceExport(trainer: Trainer): Promise<ReferenceExport> {
    const { count } = this.dataset();
    const losses = this.columns.loss.values();
    const lastEpoch = losses.slice(-iterationsPerEpoch(count, trainer.config.batchSize)).filter(Number.isFinite);
    const epochLoss = lastEpoch.length > 0 ? lastEpoch.reduce((a, b) => a + b, 0) / lastEpoch.length : null;
    const checkpointName = referenceCheckpointName(trainer);
    return {
      checkpoint: await exportReferenceCheckpoint(trainer, { datasetSize: count, epochLoss }),
      checkpointName,
      yaml: referenceYaml(trainer.config, count, { readCheckpoint: checkpointName, completedEpochs: completedEpochs(trainer, count) }),
      yamlName: checkpointName.replace(/\.pth\.tar$/, '.yaml'),
    };
  }

  async autosave(trainer: Trainer): Promise<void> {
    const summary: SavedRunSummary = {
      step: trainer.step,
      savedAt: new Date().toISOString(),
      config: trainer.config,
      ...this.datasetSummary(),
    };
    await this.storage.save(await this.checkpointBytes(trainer, 'full'), summary);
  }

  private datasetSummary() {
    const { source, count } = this.dataset();
    return { datasetSource: source, datasetCount: count };
  }

  /** A trainer and its history from checkpoint bytes: ours (safetensors) or the reference trainer's
   *  (.pth.tar, a zip); the config comes from the file when it has one (a mismatch between its
   *  tensors and that config is named in the error). */
  restore(bytes: Uint8Array, fallbackConfig: IJepaConfig): Restored {
    return isZip(bytes) ? this.restoreReference(bytes, fallbackConfig) : this.restoreSafetensors(bytes, fallbackConfig);
  }

  private restoreReference(bytes: Uint8Array, fallbackConfig: IJepaConfig): Restored {
    const { config, loaded, summary } = parseReferenceCheckpoint(bytes, fallbackConfig);
    assertValidConfig(config);
    const trainer = trainerFromCheckpoint(config, loaded);
    this.reset(); // a reference checkpoint has no step log or evaluations
    const columns = Object.fromEntries(FIELDS.map((f) => [f, new Float64Array(0)])) as StepColumns;
    return { trainer, run: { config, columns, quality: [] }, summary: `Imported a PyTorch checkpoint (${summary})` };
  }

  private restoreSafetensors(bytes: Uint8Array, fallbackConfig: IJepaConfig): Restored {
    const file = readSafetensors(bytes);
    const config = checkpointConfig(file) ?? fallbackConfig;
    assertValidConfig(config);
    const loaded = parseCheckpoint(file, config);
    const trainer = trainerFromCheckpoint(config, loaded);
    this.reset();
    const columns = Object.fromEntries(
      FIELDS.map((f) => [f, Float64Array.from(loaded.extras.get(`${EXTRA_PREFIX}${f}`)?.data ?? [])]),
    ) as StepColumns;
    appendColumns(this.columns, columns, FIELDS);
    const history = JSON.parse(loaded.metadata.quality_history ?? '{"records":[],"baseline":null}') as {
      records: EvalRecord[];
      baseline: EvalRecord | null;
      pixels?: PixelBaseline | null; // absent in older checkpoints
    };
    const baseline = history.baseline;
    this.quality = baseline
      ? history.records.map((record, i) => ({
          record,
          baseline,
          pixels: history.pixels ?? null,
          verdict: collapseVerdict(history.records.slice(0, i + 1), baseline, config.embedDim),
          labelled: record.knn !== null,
          probeNote: 'Restored from the checkpoint.',
          patchView: null,
          map: null,
          classNames: [],
          mapMs: 0,
          subset: null,
        }))
      : [];
    this.evaluator.restore(history.records, baseline);
    return { trainer, run: { config, columns, quality: this.quality }, summary: 'Resumed' };
  }

  savedSummary = () => this.storage.summary();
  loadSaved = () => this.storage.load();
  discardSaved = () => this.storage.clear();
}
