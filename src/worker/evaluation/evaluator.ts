// Is it learning? An evaluation embeds held-out and training images with the TARGET encoder and
// computes kNN, a linear probe and the collapse diagnostics, beside a randomly initialised encoder of
// the same shape. It never blocks training: an evaluation is a job of small slices run between steps,
// on a snapshot of the target encoder taken at its step (the weights move on meanwhile). A slice
// embeds one chunk of the size of a training batch (shapes the step has already compiled) or does
// one of the final computations. The random-init baseline (the run's own init) and the raw pixels'
// kNN and probe are computed once per dataset, architecture, seed and backend (the pixels' are also
// remembered across page loads: ./pixelCache.ts), and a slow backend
// evaluates a capped, fixed subset of the images. The newest
// evaluation's features (and the baseline's) also give the embedding map and the nearest neighbours.
import type { IJepaConfig } from '../../ijepa/config';
import { accuracyNoise, collapseVerdict, type EvalRecord } from '../../ijepa/diagnostics';
import type { IJepaModel } from '../../ijepa/model';
import * as tf from '../../ijepa/tf';
import type { ImageStore } from '../../data/imageStore';
import type { Split } from '../../data/split';
import { evaluationJob, pixelJob, randomEncoder, snapshot, type Encoder, type Limit, type Measured } from './evaluationJob';
import { evaluationPlan, type EvalPlan } from './evalPlan';
import { cachedPixelJob, type PixelBaselineCache } from './pixelCache';
import { embeddingMap, nearestRows, type Embedded } from './embeddings';
import type { EmbeddingMap, EvalProgress, Neighbour, Neighbours, PixelBaseline, QualityUpdate } from '../protocol';

/** The embedding of one evaluation should take about this long; a backend too slow to embed every
 *  image in this time evaluates a fixed prefix of them (never fewer than MIN_EVAL_IMAGES). */
export const EVAL_TARGET_SECONDS = 15;
export const MIN_EVAL_IMAGES = 600;

type Job = { step: number; done: number; limit: Limit } & (
  | { kind: 'baseline' | 'trained'; encoder: Encoder; slices: AsyncGenerator<number, Measured> }
  | { kind: 'pixels'; encoder: null; slices: AsyncGenerator<number, PixelBaseline | null> }
);

const storeIds = new WeakMap<ImageStore, number>();
let storesSeen = 0;
/** Evaluations are comparable (and a baseline reusable) on the same images, model shape and backend. */
function comparableKey(store: ImageStore, config: IJepaConfig): string {
  if (!storeIds.has(store)) storeIds.set(store, storesSeen++);
  const { cropSize, patchSize, embedDim, depth, numHeads, mlpRatio, seed, batchSize } = config;
  return JSON.stringify([
    storeIds.get(store),
    store.count,
    cropSize,
    patchSize,
    embedDim,
    depth,
    numHeads,
    mlpRatio,
    seed,
    batchSize,
    tf.getBackend(),
  ]);
}

/** Per comparable key: the images every evaluation embeds (null: not measured yet), the speed that
 *  decided it, and the random encoder's record; the raw-pixel yardstick on the same images. */
interface Fixed {
  limit: Limit;
  measured: boolean;
  imagesPerSec: number | null;
  baseline: EvalRecord | null;
  baselineEmbedded: Embedded | null;
  pixels: PixelBaseline | null;
  pixelsDone: boolean; // computed, or skipped on a slow backend
}

/** The newest evaluation's features, for the neighbours view. */
interface Latest {
  store: ImageStore; // the images it embedded (another dataset: no neighbours from it)
  step: number;
  trained: Embedded;
  random: Embedded | null;
}

/** Points on the embedding map when the dataset has no held-out images (no labels): the first ones. */
const MAP_MAX_UNLABELLED = 1000;

/** How much a held-out figure moves with the choice of held-out images (one standard error). */
const noiseNote = (accuracy: number, images: number) =>
  `a figure near ${Math.round(100 * accuracy)}% on this many images moves by about ±${(100 * accuracyNoise(accuracy, images)).toFixed(1)} points with which images they are`;

export class Evaluator {
  readonly history: EvalRecord[] = [];
  private readonly fixed = new Map<string, Fixed>();
  private current: {
    fixed: Fixed;
    plan: EvalPlan;
    config: IJepaConfig;
    withBaseline: boolean;
    withPixels: boolean;
    loss: number | null;
  } | null = null;
  private baseline: EvalRecord | null = null; // this run's
  private jobs: Job[] = [];
  private latest: Latest | null = null;
  private lastMap: EmbeddingMap | null = null;

  constructor(
    private readonly store: () => ImageStore,
    private readonly split: () => Split,
    private readonly targetSeconds = EVAL_TARGET_SECONDS,
    private readonly pixelCache: PixelBaselineCache | null = null, // the raw pixels' figures across page loads
  ) {}

  /** A new run: its history goes and running jobs are dropped; baselines and subset sizes stay. */
  reset(): void {
    this.cancel();
    this.baseline = null;
    this.history.length = 0;
    this.latest = null;
    this.lastMap = null;
  }

  /** Drops the queued and running evaluations (their snapshots are freed). */
  cancel(): void {
    for (const job of this.jobs) {
      void job.slices.return(undefined as never);
      job.encoder?.dispose();
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
    const { plan, withBaseline, withPixels } = this.current;
    const perJob = Math.min(trained.limit.images, plan.indices.length);
    const jobs = 1 + Number(withBaseline) + Number(withPixels);
    const done = (jobs - this.jobs.length) * perJob + Math.min(this.jobs[0].done, perJob);
    return { step: trained.step, done, total: jobs * perJob, withBaseline };
  }

  /** Queues an evaluation of `model` as it is now (`loss`: the recent training loss, for the verdict),
   *  after the random-init baseline and the raw pixels' when this dataset and architecture have none
   *  yet. Returns false (and does nothing) while one is under way. */
  schedule(model: IJepaModel, step: number, loss: number | null = null): boolean {
    if (this.busy) return false;
    const store = this.store();
    const key = comparableKey(store, model.config);
    const plan = evaluationPlan(store, this.split());
    let fixed = this.fixed.get(key);
    if (!fixed) {
      fixed = {
        limit: { images: plan.indices.length },
        measured: false,
        imagesPerSec: null,
        baseline: null,
        baselineEmbedded: null,
        pixels: null,
        pixelsDone: false,
      };
      this.fixed.set(key, fixed);
    }
    const withPixels = plan.labelled && !fixed.pixelsDone;
    this.current = { fixed, plan, config: model.config, withBaseline: !fixed.baseline, withPixels, loss };
    const job = (kind: 'baseline' | 'trained', encoder: Encoder, at: number): Job => ({
      kind,
      step: at,
      done: 0,
      limit: fixed.limit,
      encoder,
      slices: evaluationJob(encoder, store, plan, fixed.limit, at),
    });
    if (!fixed.baseline) this.jobs.push(job('baseline', randomEncoder(model.config), 0));
    if (withPixels) {
      const slices = this.pixelCache
        ? cachedPixelJob(this.pixelCache, store, plan, fixed.limit, model.config.cropSize)
        : pixelJob(store, plan, fixed.limit, model.config.cropSize);
      this.jobs.push({ kind: 'pixels', step: 0, done: 0, limit: fixed.limit, encoder: null, slices });
    }
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
      if (job.kind !== 'pixels') this.calibrate(current.fixed, next.value - job.done, job.done > 0, performance.now() - started);
      job.done = next.value;
      return null;
    }
    this.jobs.shift();
    if (job.kind === 'pixels') {
      current.fixed.pixels = next.value as PixelBaseline | null;
      current.fixed.pixelsDone = true;
      return null;
    }
    if (job.kind === 'baseline') {
      const measured = next.value as Measured;
      current.fixed.baseline = measured.record;
      current.fixed.baselineEmbedded = measured.embedded;
      return null;
    }
    this.baseline = current.fixed.baseline;
    return this.update(next.value as Measured, current);
  }

  /** The first evaluation on this key times its second chunk (the first may include compiling): the
   *  images every later one embeds are all of them, or what this backend embeds in `targetSeconds`. */
  private calibrate(fixed: Fixed, images: number, steady: boolean, ms: number): void {
    if (fixed.measured || !steady || images <= 0) return;
    fixed.measured = true;
    fixed.imagesPerSec = (1000 * images) / ms;
    fixed.limit.images = Math.min(fixed.limit.images, Math.max(MIN_EVAL_IMAGES, Math.round(fixed.imagesPerSec * this.targetSeconds)));
  }

  private update(measured: Measured, { fixed, plan, config, loss }: NonNullable<Evaluator['current']>): QualityUpdate {
    const { labelled, patchView, counts, embedded, heldOut } = measured;
    const record = { ...measured.record, loss };
    this.history.push(record);
    const store = this.store();
    this.latest = { store, step: record.step, trained: embedded, random: fixed.baselineEmbedded };
    const held = heldOut.flatMap((h, r) => (h ? [r] : []));
    const rows = held.length > 0 ? held : embedded.indices.slice(0, MAP_MAX_UNLABELLED).map((_, r) => r);
    const labels = Int32Array.from(rows, (r) => store.label(embedded.indices[r]));
    const mapStarted = performance.now();
    const map = embeddingMap(embedded, rows, labels, record.step, this.lastMap);
    const mapMs = performance.now() - mapStarted;
    this.lastMap = map;
    const baseline = this.baseline!;
    const all = plan.indices.length;
    const used = Math.min(fixed.limit.images, all);
    const subsetNote =
      used < all
        ? ` A fixed subset of ${used} of the ${all} evaluation images (the same at every evaluation): this backend embeds about ${Math.round(fixed.imagesPerSec ?? 0)} images/s, and an evaluation is kept to about ${this.targetSeconds} s of embedding; the raw pixels' probes, which would take minutes here, are not computed.`
        : '';
    const probeNote = labelled
      ? `${plan.numClasses} classes; probes trained on ${counts.train} training images, tested on ${counts.test} held-out images (never trained on): ${noiseNote(record.probeTest ?? record.knn ?? 0.5, counts.test)}.${subsetNote}`
      : `${plan.numClasses < 2 ? 'The probes are off: the dataset has no class labels (put images in one subfolder per class to turn them on).' : 'The probes are off: no held-out images yet.'}${subsetNote}`;
    const verdict = collapseVerdict(this.history, baseline, config.embedDim);
    return {
      record,
      baseline,
      pixels: labelled ? fixed.pixels : null,
      verdict,
      labelled,
      probeNote,
      patchView,
      subset: { images: used, of: all },
      map,
      classNames: [...store.classNames],
      mapMs,
    };
  }

  /** The `k` nearest neighbours of dataset image `index` under the newest evaluation's target encoder
   *  and under the random-init encoder, among the images it embedded (null: not among them). */
  neighbours(index: number, k: number): Neighbours | null {
    const latest = this.latest;
    const store = this.store();
    const row = latest?.store === store ? latest.trained.indices.indexOf(index) : -1;
    if (!latest || row < 0) return null;
    const started = performance.now();
    const describe = (embedded: Embedded, query: number): Neighbour[] =>
      nearestRows(embedded, query, k).map(({ row: r, similarity }) => {
        const image = embedded.indices[r];
        const label = store.label(image);
        return { index: image, label: label < 0 ? null : store.classNames[label], similarity, rgb: store.image(image).slice() };
      });
    const randomRow = latest.random?.indices.indexOf(index) ?? -1;
    const trained = describe(latest.trained, row);
    const random = latest.random && randomRow >= 0 ? describe(latest.random, randomRow) : [];
    return { step: latest.step, query: index, side: store.side, trained, random, ms: performance.now() - started };
  }

  /** Schedules and runs a whole evaluation at once (the learning test and benchmark, which do not
   *  train meanwhile). */
  async evaluate(model: IJepaModel, step: number, loss: number | null = null): Promise<QualityUpdate> {
    this.cancel();
    this.schedule(model, step, loss);
    for (;;) {
      const update = await this.runSlice();
      if (update) return update;
    }
  }
}
