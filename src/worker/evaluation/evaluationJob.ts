// One evaluation as a job of slices (./evaluator.ts runs them between training steps): each slice
// embeds one chunk of images with a target encoder (a zero-copy snapshot of the run's, or a random
// one) or runs one of the final computations: diagnostics, kNN, the linear probe, the patch view.
import { prepareImages } from '../../ijepa/augment';
import type { IJepaConfig } from '../../ijepa/config';
import type { EvalRecord } from '../../ijepa/diagnostics';
import { knnAccuracy, linearProbe, normalizedFeatureStd, PROBE_ITERATIONS, rankMe, type Features } from '../../ijepa/probes';
import { evaluationFeatures, type FeatureEncoder } from '../../ijepa/features';
import { wideKnnAccuracy, wideLinearProbe } from '../../ijepa/wideProbes';
import type { Params } from '../../ijepa/layers';
import { createModel, disposeModel, type IJepaModel } from '../../ijepa/model';
import { componentsToRgb, pcaProject } from '../../ijepa/pca';
import * as tf from '../../ijepa/tf';
import type { ImageStore } from '../../data/imageStore';
import { planPrefix, type EvalPlan } from './evalPlan';
import type { Embedded } from './embeddings';
import type { PatchView, PixelBaseline } from '../protocol';

/** What an evaluation embeds with: a target encoder (a snapshot of the run's, or a random one). */
export interface Encoder extends FeatureEncoder {
  /** Makes what it embeds with, where that waits for first use; called by its job, outside any tidy. */
  prepare?(): void;
  dispose(): void;
}

/** The run's target encoder as it is now. Zero-copy: a variable shares its data, and training
 *  replaces the weights (assign) rather than writing into them. */
export function snapshot(model: IJepaModel): Encoder {
  const params = Object.fromEntries(Object.entries(model.targetEncoder).map(([name, v]) => [name, tf.variable(v, false)])) as Params;
  const posEmbed = tf.clone(model.posEmbed);
  return { config: model.config, params, posEmbed, dispose: once(() => tf.dispose([...Object.values(params), posEmbed])) };
}

/** The run's own random init: the target encoder it started from (same seed, same weights). Another
 *  seed's init would add the lottery of the init to the comparison: on the digits, micro's held-out
 *  probe is 47.7% at seed 0's init and 62.2% at another's, before any training. */
export function randomEncoder(config: IJepaConfig): Encoder {
  // made when its job starts, not when scheduled: the step-0 evaluation is scheduled as a run starts,
  // where making a whole model (~0.1 s for tiny) would come before the first step
  let model: IJepaModel | null = null;
  let disposed = false;
  const made = () => {
    if (disposed) throw new Error('the random-init encoder was already freed');
    return (model ??= createModel(config));
  };
  return {
    config,
    get params() {
      return made().targetEncoder;
    },
    get posEmbed() {
      return made().posEmbed;
    },
    prepare: () => void made(),
    dispose: once(() => {
      disposed = true;
      if (model) disposeModel(model);
    }),
  };
}

/** Freed by the job when it ends, or by a cancel before it started: whichever comes first. */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
}

export interface Measured {
  record: EvalRecord;
  embedded: Embedded; // the pooled features of every image embedded
  heldOut: boolean[]; // per embedded image
  labelled: boolean;
  patchView: PatchView | null;
  counts: { train: number; test: number };
}

/** Images per slice: a training batch on a GPU backend (shapes the step has compiled: a new shape
 *  means new shaders), at least CPU_CHUNK on the CPU backends, where bigger matrices run faster and
 *  nothing compiles. */
const CPU_CHUNK = 32; // a slice stays shorter than a micro step on WASM: Pause lands within a step
const PIXEL_PROBE_SLICE = 10; // probe iterations per slice of the raw-pixel job
function evaluationChunk(config: IJepaConfig): number {
  const gpu = tf.getBackend() === 'webgpu' || tf.getBackend() === 'webgl';
  return gpu ? config.batchSize : Math.max(config.batchSize, CPU_CHUNK);
}

/** How many of the plan's images an evaluation embeds; settable while it runs (the first one sets it). */
export interface Limit {
  images: number;
}

/** One evaluation as slices: each `next()` embeds a chunk or runs one final computation, and
 *  yields the images embedded so far. */
export async function* evaluationJob(
  encoder: Encoder,
  store: ImageStore,
  plan: EvalPlan,
  limit: Limit,
  step: number,
): AsyncGenerator<number, Measured> {
  const { config } = encoder;
  const D = config.embedDim;
  const chunk = evaluationChunk(config);
  const features = new Float32Array(plan.indices.length * D);
  let patchTokens: Float32Array | null = null;
  let n = 0;
  try {
    encoder.prepare?.();
    while (n < Math.min(limit.images, plan.indices.length)) {
      const indices = plan.indices.slice(n, n + chunk);
      const kept = indices.length;
      while (indices.length < chunk) indices.push(indices[kept - 1]); // one shape for every chunk
      const keepTokens = n === 0 ? Math.min(plan.patchViewImages, chunk) : 0;
      const { pooled, tokens } = tf.tidy(() => {
        const pixels = tf.tensor4d(store.gather(indices), [chunk, store.side, store.side, 3], 'int32');
        const features = evaluationFeatures(encoder, prepareImages(pixels, config.cropSize)); // [chunk, N, D], [chunk, D]
        return keepTokens > 0
          ? { pooled: features.pooled, tokens: features.tokens.slice([0, 0, 0], [keepTokens, -1, -1]) }
          : { pooled: features.pooled }; // [k, N, D]
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
    step,
    knn: null,
    probeTrain: null,
    probeTest: null,
    rankMe: rankMe(embedded, n, D),
    rankMeCentred: 0,
    featureStd: normalizedFeatureStd(embedded, n, D),
    featureStdCentred: normalizedFeatureStd(embedded, n, D, true),
  };
  yield n;
  record.rankMeCentred = rankMe(embedded, n, D, true);
  let counts = { train: 0, test: 0 };
  if (used.labelled) {
    const { train, test } = labelledSplit(store, used, embedded, D);
    counts = { train: train.n, test: test.n };
    record.heldOut = test.n;
    record.knn = knnAccuracy(train, test, used.numClasses);
    yield n;
    const probe = linearProbe(train, test, used.numClasses);
    record.probeTrain = probe.trainAccuracy;
    record.probeTest = probe.testAccuracy;
  }
  const patchView = patchTokens && patchViewOf(store, used, patchTokens, config);
  return {
    record,
    embedded: { indices: used.indices, features: embedded, dim: D },
    heldOut: used.heldOut,
    labelled: used.labelled && counts.test > 0 && counts.train > 0,
    patchView,
    counts,
  };
}

/** The probes' training and test rows of n embedded images (features of width D, in plan order). */
function labelledSplit(store: ImageStore, used: EvalPlan, embedded: Float32Array, D: number): { train: Features; test: Features } {
  const pick = (test: boolean): Features => {
    const rows = used.heldOut.flatMap((h, i) => (h === test ? [i] : []));
    const data = new Float32Array(rows.length * D);
    rows.forEach((r, k) => data.set(embedded.subarray(r * D, (r + 1) * D), k * D));
    return { data, n: rows.length, dim: D, labels: Int32Array.from(rows, (r) => store.label(used.indices[r])) };
  };
  return { train: pick(false), test: pick(true) };
}

/** The raw-pixel yardstick: kNN and the linear probe on the images as the model sees them (whole,
 *  at training resolution, normalised), on the same images as the evaluations (`limit`). What a
 *  representation must beat to be worth more than the pixels it came from; on a backend that
 *  evaluates a capped subset, none. Slices: a chunk of images
 *  each, then the kNN, then the probe in runs of PIXEL_PROBE_SLICE iterations (on a software GPU an
 *  iteration takes ~0.1 s). It yields its progress in images' worth: the gathering counts for half
 *  of them, the kNN and the probe for the rest, so that the progress moves at every slice. */
export async function* pixelJob(
  store: ImageStore,
  plan: EvalPlan,
  limit: Limit,
  cropSize: number,
): AsyncGenerator<number, PixelBaseline | null> {
  // A backend too slow to embed every image in an evaluation's time (a software GPU) would spend
  // minutes here: no yardstick there (null), the panel says so
  if (limit.images < plan.indices.length) return null;
  const used = planPrefix(plan, plan.indices.length);
  const total = used.indices.length;
  const P = cropSize * cropSize * 3;
  const pixels = new Float32Array(total * P);
  for (let n = 0; n < total; n += CPU_CHUNK) {
    const indices = used.indices.slice(n, n + CPU_CHUNK);
    const flat = tf.tidy(() =>
      prepareImages(tf.tensor4d(store.gather(indices), [indices.length, store.side, store.side, 3], 'int32'), cropSize).reshape([
        indices.length,
        P,
      ]),
    ); // [chunk, crop * crop * 3]
    pixels.set(await flat.data(), n * P);
    flat.dispose();
    yield Math.floor(0.5 * (n + indices.length));
  }
  const { train, test } = labelledSplit(store, used, pixels, P);
  const knn = await wideKnnAccuracy(train, test, used.numClasses);
  yield Math.floor(0.6 * total);
  const probing = wideLinearProbe(train, test, used.numClasses, PIXEL_PROBE_SLICE);
  let next = await probing.next();
  for (; !next.done; next = await probing.next()) yield Math.floor(total * (0.6 + (0.4 * next.value) / PROBE_ITERATIONS));
  const probe = next.value;
  return { knn, probeTrain: probe.trainAccuracy, probeTest: probe.testAccuracy, images: total };
}

/** First 3 principal components of the patch features of the plan's first images, as RGB. */
function patchViewOf(store: ImageStore, plan: EvalPlan, tokens: Float32Array, config: IJepaConfig): PatchView {
  const N = (config.cropSize / config.patchSize) ** 2;
  const shown = plan.indices.slice(0, tokens.length / (N * config.embedDim));
  const rows = shown.length * N;
  return {
    grid: Math.round(Math.sqrt(N)),
    side: store.side,
    images: store.gather(shown),
    pca: componentsToRgb(pcaProject(tokens, rows, config.embedDim), rows),
  };
}
