// Is it learning? An evaluation embeds held-out and training images with the TARGET encoder and
// computes kNN, a linear probe and the collapse diagnostics, beside a randomly initialised encoder of
// the same shape. It never blocks training: an evaluation is a job of small slices run between steps,
// on a snapshot of the target encoder taken at its step (the weights move on meanwhile). A slice
// embeds one chunk of the size of a training batch (shapes the step has already compiled) or does
// one of the final computations. The random-init baseline is computed once per dataset, architecture
// and backend, and a slow backend evaluates a capped, fixed subset of the images.
import { prepareImages } from '../ijepa/augment';
import type { IJepaConfig } from '../ijepa/config';
import { collapseVerdict, type EvalRecord } from '../ijepa/diagnostics';
import { knnAccuracy, linearProbe, normalizedFeatureStd, rankMe, type Features } from '../ijepa/eval';
import { evaluationFeatures, type FeatureEncoder } from '../ijepa/features';
import type { Params } from '../ijepa/layers';
import { createModel, disposeModel, type IJepaModel } from '../ijepa/model';
import { componentsToRgb, pcaProject } from '../ijepa/pca';
import * as tf from '../ijepa/tf';
import type { ImageStore } from '../data/imageStore';
import type { Split } from '../data/split';
import { evaluationPlan, planPrefix, type EvalPlan } from './evalPlan';
import type { EvalProgress, PatchView, QualityUpdate } from './protocol';

const BASELINE_SEED_OFFSET = 7919;
/** The embedding of one evaluation should take about this long; a backend too slow to embed every
 *  image in this time evaluates a fixed prefix of them (never fewer than MIN_EVAL_IMAGES). */
export const EVAL_TARGET_SECONDS = 15;
export const MIN_EVAL_IMAGES = 600;

/** What an evaluation embeds with: a target encoder (a snapshot of the run's, or a random one). */
interface Encoder extends FeatureEncoder {
  dispose(): void;
}

/** The run's target encoder as it is now. Zero-copy: a variable shares its data, and training
 *  replaces the weights (assign) rather than writing into them. */
function snapshot(model: IJepaModel): Encoder {
  const params = Object.fromEntries(Object.entries(model.targetEncoder).map(([name, v]) => [name, tf.variable(v, false)])) as Params;
  const posEmbed = tf.clone(model.posEmbed);
  return { config: model.config, params, posEmbed, dispose: once(() => tf.dispose([...Object.values(params), posEmbed])) };
}

function randomEncoder(config: IJepaConfig): Encoder {
  const model = createModel({ ...config, seed: config.seed + BASELINE_SEED_OFFSET });
  return { config, params: model.targetEncoder, posEmbed: model.posEmbed, dispose: once(() => disposeModel(model)) };
}

/** Freed by the job when it ends, or by a cancel before it started: whichever comes first. */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
}

interface Measured {
  record: EvalRecord;
  labelled: boolean;
  patchView: PatchView | null;
  counts: { train: number; test: number };
}

/** Images per slice: a training batch on a GPU backend (shapes the step has compiled: a new shape
 *  means new shaders), at least CPU_CHUNK on the CPU backends, where bigger matrices run faster and
 *  nothing compiles. */
const CPU_CHUNK = 32; // a slice stays shorter than a micro step on WASM: Pause lands within a step
function evaluationChunk(config: IJepaConfig): number {
  const gpu = tf.getBackend() === 'webgpu' || tf.getBackend() === 'webgl';
  return gpu ? config.batchSize : Math.max(config.batchSize, CPU_CHUNK);
}

/** How many of the plan's images an evaluation embeds; settable while it runs (the first one sets it). */
interface Limit {
  images: number;
}

/** One evaluation as slices: each `next()` embeds a chunk or runs one final computation, and
 *  yields the images embedded so far. */
async function* evaluationJob(encoder: Encoder, store: ImageStore, plan: EvalPlan, limit: Limit, step: number): AsyncGenerator<number, Measured> {
  const { config } = encoder;
  const D = config.embedDim;
  const chunk = evaluationChunk(config);
  const features = new Float32Array(plan.indices.length * D);
  let patchTokens: Float32Array | null = null;
  let n = 0;
  try {
    while (n < Math.min(limit.images, plan.indices.length)) {
      const indices = plan.indices.slice(n, n + chunk);
      const kept = indices.length;
      while (indices.length < chunk) indices.push(indices[kept - 1]); // one shape for every chunk
      const keepTokens = n === 0 ? Math.min(plan.patchViewImages, chunk) : 0;
      const { pooled, tokens } = tf.tidy(() => {
        const pixels = tf.tensor4d(store.gather(indices), [chunk, store.side, store.side, 3], 'int32');
        const features = evaluationFeatures(encoder, prepareImages(pixels, config.cropSize)); // [chunk, N, D], [chunk, D]
        return keepTokens > 0 ? { pooled: features.pooled, tokens: features.tokens.slice([0, 0, 0], [keepTokens, -1, -1]) } : { pooled: features.pooled }; // [k, N, D]
      }) as { pooled: tf.Tensor2D; tokens?: tf.Tensor3D };
      try {
        features.set((await pooled.data()).subarray(0, kept * D), n * D);
        if (tokens) patchTokens = (await tokens.data()) as Float32Array;
      } finally {
        tf.dispose([pooled, ...(tokens ? [tokens] : [])]);
      }
      n += kept;
      yield n;
    }
  } finally {
    encoder.dispose();
  }
  const used = planPrefix(plan, n);
  const embedded = features.subarray(0, n * D);
  const record: EvalRecord = {
    step, knn: null, probeTrain: null, probeTest: null, rankMe: rankMe(embedded, n, D), rankMeCentred: 0,
    featureStd: normalizedFeatureStd(embedded, n, D), featureStdCentred: normalizedFeatureStd(embedded, n, D, true),
  };
  yield n;
  record.rankMeCentred = rankMe(embedded, n, D, true);
  let counts = { train: 0, test: 0 };
  if (used.labelled) {
    const pick = (test: boolean): Features => {
      const rows = used.heldOut.flatMap((h, i) => (h === test ? [i] : []));
      const data = new Float32Array(rows.length * D);
      rows.forEach((r, k) => data.set(embedded.subarray(r * D, (r + 1) * D), k * D));
      return { data, n: rows.length, dim: D, labels: Int32Array.from(rows, (r) => store.label(used.indices[r])) };
    };
    const train = pick(false);
    const test = pick(true);
    counts = { train: train.n, test: test.n };
    record.knn = knnAccuracy(train, test, used.numClasses);
    yield n;
    const probe = linearProbe(train, test, used.numClasses);
    record.probeTrain = probe.trainAccuracy;
    record.probeTest = probe.testAccuracy;
  }
  const patchView = patchTokens && patchViewOf(store, used, patchTokens, config);
  return { record, labelled: used.labelled && counts.test > 0 && counts.train > 0, patchView, counts };
}

/** First 3 principal components of the patch features of the plan's first images, as RGB. */
function patchViewOf(store: ImageStore, plan: EvalPlan, tokens: Float32Array, config: IJepaConfig): PatchView {
  const N = (config.cropSize / config.patchSize) ** 2;
  const shown = plan.indices.slice(0, tokens.length / (N * config.embedDim));
  const rows = shown.length * N;
  return { grid: Math.round(Math.sqrt(N)), side: store.side, images: store.gather(shown), pca: componentsToRgb(pcaProject(tokens, rows, config.embedDim), rows) };
}

interface Job {
  kind: 'baseline' | 'trained';
  step: number;
  done: number;
  limit: Limit;
  encoder: Encoder;
  slices: AsyncGenerator<number, Measured>;
}

const storeIds = new WeakMap<ImageStore, number>();
let storesSeen = 0;
/** Evaluations are comparable (and a baseline reusable) on the same images, model shape and backend. */
function comparableKey(store: ImageStore, config: IJepaConfig): string {
  if (!storeIds.has(store)) storeIds.set(store, storesSeen++);
  const { cropSize, patchSize, embedDim, depth, numHeads, mlpRatio, seed, batchSize } = config;
  return JSON.stringify([storeIds.get(store), store.count, cropSize, patchSize, embedDim, depth, numHeads, mlpRatio, seed, batchSize, tf.getBackend()]);
}

/** Per comparable key: the images every evaluation embeds (null: not measured yet), the speed that
 *  decided it, and the random encoder's record. */
interface Fixed {
  limit: Limit;
  measured: boolean;
  imagesPerSec: number | null;
  baseline: EvalRecord | null;
}

export class Evaluator {
  readonly history: EvalRecord[] = [];
  private readonly fixed = new Map<string, Fixed>();
  private current: { fixed: Fixed; plan: EvalPlan; config: IJepaConfig; withBaseline: boolean } | null = null;
  private baseline: EvalRecord | null = null; // this run's
  private jobs: Job[] = [];

  constructor(private readonly store: () => ImageStore, private readonly split: () => Split, private readonly targetSeconds = EVAL_TARGET_SECONDS) {}

  /** A new run: its history goes and running jobs are dropped; baselines and subset sizes stay. */
  reset(): void {
    this.cancel();
    this.baseline = null;
    this.history.length = 0;
  }

  /** Drops the queued and running evaluations (their snapshots are freed). */
  cancel(): void {
    for (const job of this.jobs) {
      void job.slices.return(undefined as never);
      job.encoder.dispose();
    }
    this.jobs = [];
  }

  /** Continue a restored run: its evaluations so far and its baseline. */
  restore(history: EvalRecord[], baseline: EvalRecord | null): void {
    this.reset();
    this.history.push(...history);
    this.baseline = baseline;
  }

  get busy(): boolean {
    return this.jobs.length > 0;
  }

  /** The evaluation under way (with its baseline, when that runs first): images embedded of all. */
  progress(): EvalProgress | null {
    const trained = this.jobs.find((j) => j.kind === 'trained');
    if (!trained || !this.current) return null;
    const { plan, withBaseline } = this.current;
    const perJob = Math.min(trained.limit.images, plan.indices.length);
    const jobs = withBaseline ? 2 : 1;
    const done = (jobs - this.jobs.length) * perJob + Math.min(this.jobs[0].done, perJob);
    return { step: trained.step, done, total: jobs * perJob, withBaseline };
  }

  /** Queues an evaluation of `model` as it is now, after the random-init baseline when this dataset
   *  and architecture have none yet. Returns false (and does nothing) while one is under way. */
  schedule(model: IJepaModel, step: number): boolean {
    if (this.busy) return false;
    const store = this.store();
    const key = comparableKey(store, model.config);
    const plan = evaluationPlan(store, this.split());
    let fixed = this.fixed.get(key);
    if (!fixed) {
      fixed = { limit: { images: plan.indices.length }, measured: false, imagesPerSec: null, baseline: null };
      this.fixed.set(key, fixed);
    }
    this.current = { fixed, plan, config: model.config, withBaseline: !fixed.baseline };
    const job = (kind: Job['kind'], encoder: Encoder, at: number): Job =>
      ({ kind, step: at, done: 0, limit: fixed.limit, encoder, slices: evaluationJob(encoder, store, plan, fixed.limit, at) });
    if (!fixed.baseline) this.jobs.push(job('baseline', randomEncoder(model.config), 0));
    this.jobs.push(job('trained', snapshot(model), step));
    return true;
  }

  /** Runs one slice; returns the quality update when it finished an evaluation of the run. */
  async runSlice(): Promise<QualityUpdate | null> {
    const job = this.jobs[0];
    const current = this.current;
    if (!job || !current) return null;
    const started = performance.now();
    const next = await job.slices.next();
    if (this.jobs[0] !== job) return null; // cancelled meanwhile
    if (!next.done) {
      this.calibrate(current.fixed, next.value - job.done, job.done > 0, performance.now() - started);
      job.done = next.value;
      return null;
    }
    this.jobs.shift();
    if (job.kind === 'baseline') {
      current.fixed.baseline = next.value.record;
      return null;
    }
    this.baseline = current.fixed.baseline;
    return this.update(next.value, current);
  }

  /** The first evaluation on this key times its second chunk (the first may include compiling): the
   *  images every later one embeds are all of them, or what this backend embeds in `targetSeconds`. */
  private calibrate(fixed: Fixed, images: number, steady: boolean, ms: number): void {
    if (fixed.measured || !steady || images <= 0) return;
    fixed.measured = true;
    fixed.imagesPerSec = (1000 * images) / ms;
    fixed.limit.images = Math.min(fixed.limit.images, Math.max(MIN_EVAL_IMAGES, Math.round(fixed.imagesPerSec * this.targetSeconds)));
  }

  private update(measured: Measured, { fixed, plan, config }: NonNullable<Evaluator['current']>): QualityUpdate {
    const { record, labelled, patchView, counts } = measured;
    this.history.push(record);
    const baseline = this.baseline!;
    const all = plan.indices.length;
    const used = Math.min(fixed.limit.images, all);
    const subsetNote = used < all
      ? ` A fixed subset of ${used} of the ${all} evaluation images (the same at every evaluation): this backend embeds about ${Math.round(fixed.imagesPerSec ?? 0)} images/s, and an evaluation is kept to about ${this.targetSeconds} s of embedding.`
      : '';
    const probeNote = labelled
      ? `${plan.numClasses} classes; probes trained on ${counts.train} training images, tested on ${counts.test} held-out images (never trained on).${subsetNote}`
      : `${plan.numClasses < 2 ? 'The probes are off: the dataset has no class labels (put images in one subfolder per class to turn them on).' : 'The probes are off: no held-out images yet.'}${subsetNote}`;
    const verdict = collapseVerdict(this.history, baseline, config.embedDim);
    return { record, baseline, verdict, labelled, probeNote, patchView, subset: { images: used, of: all } };
  }

  /** Schedules and runs a whole evaluation at once (the learning test and benchmark, which do not
   *  train meanwhile). */
  async evaluate(model: IJepaModel, step: number): Promise<QualityUpdate> {
    this.cancel();
    this.schedule(model, step);
    for (;;) {
      const update = await this.runSlice();
      if (update) return update;
    }
  }
}
