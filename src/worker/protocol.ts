// Types that cross the worker boundary. Everything here is structured-cloneable plain data.
import type { ClassCount } from '../data/imageStore';
import type { SkippedFile } from '../data/fileKinds';
import type { EvalRecord, Verdict } from '../ijepa/diagnostics';
import type { IJepaConfig, MaskStrategy, PredictionTarget } from '../ijepa/config';
import type { BlockRect } from '../ijepa/masks';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName; // the active backend
  available: BackendName[]; // the backends that initialised in this browser
  adapter: string; // e.g. "nvidia ampere", "google swiftshader (software)", "CPU"
  isSoftware: boolean; // the active GPU backend runs on a software adapter (SwiftShader)
  threads: number | null; // WASM: the threads of its XNNPACK pool (null on other backends)
  simd: boolean | null; // WASM: our SIMD kernels started on tfjs' memory (else its own kernels run; null elsewhere)
  note: string; // a plain sentence for the page when WebGPU is missing or software-only ('' otherwise)
}

/** 'pausing': Pause was pressed during a step; the step lands, then the run is 'paused'. */
export type Phase = 'idle' | 'compiling' | 'training' | 'pausing' | 'paused' | 'done' | 'error';

/** Phases in which the worker is busy with the run (settings and backend are locked). */
export const isActivePhase = (phase: Phase): boolean => phase === 'training' || phase === 'compiling' || phase === 'pausing';

export interface RunStatus {
  phase: Phase;
  step: number; // completed steps
  totalSteps: number;
  message: string; // why the run stopped or what went wrong ('' when nothing to say)
  compileMs: number | null; // first step of the run: shader compilation + one step
}

/** The per-step numbers, in one order for every place that stores or exports them: step, loss, the
 *  schedules (lr, weight decay, EMA momentum), the step's wall time in the worker (stepMs) and the
 *  time since the run started, pauses excluded (wallMs). */
export const STEP_FIELDS = ['step', 'loss', 'lr', 'wd', 'momentum', 'stepMs', 'wallMs'] as const;
export type StepField = (typeof STEP_FIELDS)[number];

/** One trained step, as the panels need it: one number per field of STEP_FIELDS. */
export type StepRecord = Record<StepField, number>;

/** The masks a step really used (same indices it gathered), for the mask panel. */
export interface MaskRecord {
  step: number;
  strategy: MaskStrategy; // how the masks were drawn (multi-block, or one of the paper's ablations)
  batchSize: number;
  grid: number;
  contextTokens: number;
  targetTokens: number;
  contextIdx: Int32Array; // [B, Kc]
  targetIdx: Int32Array; // [npred, B, Kt]
  targetRects: BlockRect[]; // [npred * B]
  contextRects: BlockRect[]; // [B]
  imageIndices: number[]; // dataset indices of the batch's images
  images: Uint8Array; // the first few images of the batch as stored: [n, imageSide, imageSide, 3]
  imageSide: number;
  cropBoxes: Float32Array | null; // their RandomResizedCrop boxes, [n, 4] as [y1, x1, y2, x2] in 0-1 (null: no crop)
  prediction: PredictionRecord | null; // the predictor's view of one of these images
  decoded: DecodedRecord | null; // the pixel decoder's view of the same image (when it is on)
}

/** One image's target blocks in the step that trained on them: the target encoder's features and the
 *  predictor's output for the same patches (the first Kt cells of each block, as the step gathered
 *  them: MaskRecord.targetIdx), through one shared RGB projection, and the loss per patch. */
export interface PredictionRecord {
  image: number; // which image of the batch
  target: PredictionTarget; // what was predicted: the target encoder's features, or the patches' pixels
  numTargets: number;
  tokens: number; // Kt
  targetRgb: Uint8Array; // [npred, Kt, 3]
  predictedRgb: Uint8Array; // [npred, Kt, 3]
  error: Float32Array; // [npred, Kt] the loss of each predicted patch
  errorOfZeros: number; // what predicting zeros would cost per patch here (the error map's full scale)
  computeMs: number; // the projection in the worker (its features ride on the loss readback: docs/BENCHMARKS.md, bench:views)
}

/** The pixel decoder's view of the same image's target blocks (src/ijepa/pixelDecoder.ts, a probe
 *  beside the run): per block, the true pixels and the decoder applied to the target features and to
 *  the predictor's output, as RGB (the first Kt cells of each block, as the step gathered them), and
 *  the PSNR of each decoding against the truth. */
export interface DecodedRecord {
  image: number; // which image of the batch
  numTargets: number;
  tokens: number; // Kt
  patchSize: number;
  input: Uint8Array; // [N, p, p, 3]: the image as the encoder's input has it (its crop), patch by patch: the context is drawn from it
  truth: Uint8Array; // [npred, Kt, p, p, 3]
  fromTargets: Uint8Array; // [npred, Kt, p, p, 3]: what the representation keeps
  fromPredicted: Uint8Array; // [npred, Kt, p, p, 3]: what the predictor imagines
  psnrTargets: Float32Array; // [npred] dB
  psnrPredicted: Float32Array; // [npred] dB
  decoderLoss: number | null; // its training loss (MSE on normalised pixels) at its last learning step (null: none yet)
}

/** Images per batch sent to the mask panel, and mask records per update (the scrubber's reach). */
export const MASK_PANEL_IMAGES = 8;
export const MASKS_PER_UPDATE = 64;

export interface MetricsUpdate {
  status: RunStatus; // the run as of the newest record
  records: StepRecord[];
  masks: MaskRecord[]; // the masks of the steps in `records` (the newest MASKS_PER_UPDATE at most)
  stepsPerSec: number;
  imagesPerSec: number;
  etaSec: number | null;
  numTensors: number;
  gpuBytes: number | null; // WebGPU/WebGL only
}

export interface Thumbnail {
  index: number;
  label: string | null;
  rgb: Uint8Array; // [side, side, 3]
}

/** The built-in datasets: procedural patterns (drawn, no download) and real MNIST digits (bundled). */
export const BUILTIN_SETS = ['patterns', 'digits'] as const;
export type BuiltinSet = (typeof BUILTIN_SETS)[number];
/** The set the page opens on: real images, now that the default (browser) recipe learns on them
 *  (docs/LEARNING.md); the patterns are one click away. */
export const FIRST_OPEN_SET: BuiltinSet = 'digits';

export interface DatasetSummary {
  count: number;
  side: number;
  bytes: number;
  classes: ClassCount[];
  skipped: SkippedFile[];
  thumbnails: Thumbnail[];
  source: BuiltinSet | 'files' | 'empty';
}

export interface ImportProgress {
  running: boolean;
  done: number;
  total: number;
  imagesPerSec: number;
  decoders: number; // decoding in parallel
}

export interface PatchView {
  grid: number;
  side: number;
  images: Uint8Array; // [n, side, side, 3] the images as stored
  pca: Uint8Array; // [n, grid, grid, 3] first 3 principal components of their patch features as RGB
}

/** The held-out images' pooled features at one evaluation, on their first two principal components. */
export interface EmbeddingMap {
  step: number;
  indices: Int32Array; // dataset indices of the points
  labels: Int32Array; // class ids (-1: none)
  points: Float32Array; // [n, 2]
}

/** One image's nearest neighbours among the images the newest evaluation embedded. */
export interface Neighbours {
  step: number; // the evaluation's
  query: number; // dataset index
  side: number;
  trained: Neighbour[]; // under the run's target encoder, most similar first
  random: Neighbour[]; // under the random-init encoder
  ms: number; // finding them (both encoders)
}

/** Dataset images by index, back to back as stored: [indices.length, side, side, 3]. */
export interface DatasetImages {
  side: number;
  indices: number[];
  rgb: Uint8Array;
}

export interface Neighbour {
  index: number;
  label: string | null;
  similarity: number; // cosine
  rgb: Uint8Array; // [side, side, 3]
}

/** kNN and linear probe on the raw pixels (the images at training resolution): the yardstick a
 *  representation must beat to be worth more than its input. */
export interface PixelBaseline {
  knn: number;
  probeTrain: number;
  probeTest: number;
  images: number; // evaluated (training + held-out)
}

export interface QualityUpdate {
  record: EvalRecord;
  baseline: EvalRecord;
  pixels: PixelBaseline | null; // null: no labels, or not computed (restored from a checkpoint)
  verdict: Verdict;
  labelled: boolean; // false: the probes are off (no classes), diagnostics only
  probeNote: string; // why the probes are off, or what they ran on
  patchView: PatchView | null;
  subset: { images: number; of: number } | null; // the images embedded, of those the evaluation could use
  map: EmbeddingMap | null; // null for evaluations restored from a checkpoint
  classNames: string[];
  mapMs: number; // what the map added to the evaluation (its PCA)
}

/** An evaluation under way, between training steps: images embedded so far, of all it will embed
 *  (the random-init baseline's included when it runs first). */
export interface EvalProgress {
  step: number;
  done: number;
  total: number;
  withBaseline: boolean;
}

/** Per-step metrics as columns (a restored run's whole history in one message). */
export type StepColumns = Record<StepField, Float64Array>;

export interface RestoredRun {
  config: IJepaConfig;
  status: RunStatus;
  columns: StepColumns;
  quality: QualityUpdate[];
}

/** What the page needs to offer "resume where you were" after a reload. */
export interface SavedRunSummary {
  step: number;
  savedAt: string; // ISO date
  config: IJepaConfig;
  datasetSource: DatasetSummary['source'];
  datasetCount: number;
}

export type WorkerEvent =
  | { type: 'status'; status: RunStatus }
  | { type: 'metrics'; update: MetricsUpdate }
  | { type: 'dataset'; summary: DatasetSummary }
  | { type: 'import'; progress: ImportProgress }
  | { type: 'backend'; info: BackendInfo }
  | { type: 'reset' }
  | { type: 'quality'; update: QualityUpdate }
  | { type: 'restored'; run: RestoredRun }
  | { type: 'evaluating'; progress: EvalProgress | null };
