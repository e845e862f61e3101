// What a run tells the page between steps: the records of the steps, the masks of their batches (the
// newest MASKS_PER_UPDATE), steps/s and ETA from the wall time between steps (evaluation slices
// included, so they match what the page sees), tensors and GPU memory. Batched: a message about ten
// times a second, never one per step, kernel or tensor.
import type { IJepaConfig } from '../../ijepa/config';
import type { MaskBatch } from '../../ijepa/masks';
import * as tf from '../../ijepa/tf';
import type { BlockFeatures } from '../../ijepa/trainStep';
import type { Batch } from './batch';
import type { ShownPixels } from '../../ijepa/pixelDecoder';
import { decodedRecord } from './decodedSnapshot';
import { PredictorSnapshots } from './predictorSnapshot';
import {
  MASK_PANEL_IMAGES,
  MASKS_PER_UPDATE,
  type MaskRecord,
  type MetricsUpdate,
  type RunStatus,
  type StepRecord,
  type WorkerEvent,
} from '../protocol';

const FLUSH_INTERVAL_MS = 100;

/** What the panels show of a trained step beside its masks. */
export interface ShownStep {
  config: IJepaConfig;
  side: number; // the dataset's image side
  blocks?: BlockFeatures<Float32Array>; // the shown image's target and predicted block features
  shownPixels?: ShownPixels<Float32Array>; // the same blocks in pixels (with the pixel decoder)
  decoderLoss?: number; // on the decoder's learning steps
  shownImage: number;
  predictorView: boolean; // the predictor's view is on (the blocks may be there for the decoder's alone)
}
const RATE_WINDOW = 20; // step-to-step intervals averaged for steps/s

export class RunTelemetry {
  private records: StepRecord[] = [];
  private masks: MaskRecord[] = [];
  private lastFlush = 0;
  private intervals: number[] = [];
  private lastStepEnd: number | null = null; // null after a pause: the next interval starts at the next step
  private readonly predictions = new PredictorSnapshots();
  private decoderLoss: number | null = null; // the pixel decoder's, at its last learning step
  wallMs = 0; // the run's training time so far (pauses excluded)

  constructor(
    private readonly emit: (e: WorkerEvent) => void,
    private readonly gpuBytes: () => number | null,
  ) {}

  /** A new run (or a restored one, at its training time so far). */
  reset(wallMs = 0): void {
    this.records = [];
    this.masks = [];
    this.intervals = [];
    this.lastStepEnd = null;
    this.wallMs = wallMs;
    this.predictions.reset();
    this.decoderLoss = null;
  }

  /** The run stopped (pause, error): the time until the next step is not a step's. */
  paused(): void {
    this.lastStepEnd = null;
  }

  /** A step took `stepMs`; `steady`: not the first of the run (which compiles). Returns the run's time. */
  stepTimed(stepMs: number, steady: boolean, running: boolean): number {
    const now = performance.now();
    if (steady && this.lastStepEnd !== null) this.intervals = [...this.intervals.slice(-(RATE_WINDOW - 1)), now - this.lastStepEnd];
    this.lastStepEnd = running ? now : null;
    this.wallMs += stepMs;
    return this.wallMs;
  }

  /** A trained step for the panels: its record, its batch's masks and first images, the predictor's view
   *  of the shown image (from its block features, when the step read them back). */
  stepTrained(record: StepRecord, masks: MaskBatch, batch: Batch, step: ShownStep): void {
    const { config, side } = step;
    const grid = config.cropSize / config.patchSize;
    const prediction =
      step.blocks && step.predictorView ? this.predictions.view(step.blocks, masks.numTargets, config, step.shownImage) : null;
    if (step.decoderLoss !== undefined) this.decoderLoss = step.decoderLoss;
    const decoded = step.shownPixels ? decodedRecord(step.shownPixels, masks.numTargets, config, step.shownImage, this.decoderLoss) : null;
    this.records.push(record);
    const shown = Math.min(masks.batchSize, MASK_PANEL_IMAGES);
    this.masks.push({
      step: record.step,
      strategy: masks.strategy,
      batchSize: masks.batchSize,
      grid,
      contextTokens: masks.contextTokens,
      targetTokens: masks.targetTokens,
      contextIdx: masks.contextIdx,
      targetIdx: masks.targetIdx,
      targetRects: masks.targetRects,
      contextRects: masks.contextRects,
      imageIndices: batch.imageIndices,
      images: batch.pixels.slice(0, shown * side * side * 3),
      imageSide: side,
      cropBoxes: batch.boxes ? batch.boxes.slice(0, shown * 4) : null,
      prediction,
      decoded,
    });
    if (this.masks.length > MASKS_PER_UPDATE) this.masks.shift();
  }

  /** Sends what is buffered (at most every FLUSH_INTERVAL_MS unless forced). */
  flush(status: RunStatus, config: IJepaConfig, force: boolean): void {
    const now = performance.now();
    if (!force && (now - this.lastFlush < FLUSH_INTERVAL_MS || this.records.length === 0)) return;
    this.lastFlush = now;
    const meanMs = this.intervals.length > 0 ? this.intervals.reduce((a, b) => a + b, 0) / this.intervals.length : 0;
    const stepsPerSec = meanMs > 0 ? 1000 / meanMs : 0;
    const update: MetricsUpdate = {
      status,
      records: this.records,
      masks: this.masks,
      stepsPerSec,
      imagesPerSec: stepsPerSec * config.batchSize,
      etaSec: stepsPerSec > 0 ? Math.max(0, config.totalSteps - status.step) / stepsPerSec : null,
      numTensors: tf.memory().numTensors,
      gpuBytes: this.gpuBytes(),
    };
    this.records = [];
    this.masks = [];
    this.emit({ type: 'metrics', update });
  }
}

/** What the page says when the loop dies. The WASM backend's heap stops growing at a few GB and
 *  then aborts with a bare "Aborted()" (the `small` preset does, at batch 32): say what it means.
 *  An aborted WASM module stays dead, so the way on is the page's Restart (a fresh worker). */
export function trainingStoppedMessage(error: unknown, backend: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (backend === 'wasm' && /Aborted\(\)/.test(message)) {
    return 'Training stopped: the WASM backend ran out of memory (its heap cannot grow further). Press Restart, then choose a smaller preset or batch size, or use WebGPU.';
  }
  return `Training stopped: ${message}`;
}
