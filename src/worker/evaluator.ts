// Is it learning? Every N steps (between steps, in the worker) the TARGET encoder embeds the
// held-out images and a sample of the training images; kNN, a linear probe and the collapse
// diagnostics are computed on those features, beside the same numbers for a randomly initialised
// encoder of the same shape (one fixed baseline per run).
import { prepareImages } from '../ijepa/augment';
import type { IJepaConfig } from '../ijepa/config';
import { collapseVerdict, type EvalRecord } from '../ijepa/diagnostics';
import type { PatchView, QualityUpdate } from './protocol';
import { knnAccuracy, linearProbe, normalizedFeatureStd, rankMe, type Features } from '../ijepa/eval';
import { embedImages } from '../ijepa/features';
import { createModel, disposeModel, type IJepaModel } from '../ijepa/model';
import { componentsToRgb, pcaProject } from '../ijepa/pca';
import * as tf from '../ijepa/tf';
import { encode, patchify } from '../ijepa/vit';
import type { ImageStore } from '../data/imageStore';
import type { Split } from '../data/split';

const MAX_PROBE_TRAIN = 2000; // training-split images whose features train the probes
const MAX_HELD_OUT = 1000;
const EMBED_BATCH = 128;
const PATCH_VIEW_IMAGES = 4;
const BASELINE_SEED_OFFSET = 7919;

/** Every k-th element, so at most `max` are kept (deterministic). */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]);
}

async function embed(model: IJepaModel, store: ImageStore, indices: number[]): Promise<Float32Array> {
  const D = model.config.embedDim;
  const out = new Float32Array(indices.length * D);
  for (let start = 0; start < indices.length; start += EMBED_BATCH) {
    const chunk = indices.slice(start, start + EMBED_BATCH);
    const images = tf.tidy(() => prepareImages(tf.tensor4d(store.gather(chunk), [chunk.length, store.side, store.side, 3], 'int32'), model.config.cropSize));
    out.set(await embedImages(model, images, EMBED_BATCH), start * D);
    images.dispose();
  }
  return out;
}

function subset(all: Float32Array, dim: number, from: number, count: number, labels: Int32Array): Features {
  return { data: all.subarray(from * dim, (from + count) * dim), n: count, dim, labels };
}

export class Evaluator {
  private baseline: { record: EvalRecord; config: IJepaConfig } | null = null;
  readonly history: EvalRecord[] = [];

  constructor(private readonly store: () => ImageStore, private readonly split: () => Split) {}

  reset(): void {
    this.baseline = null;
    this.history.length = 0;
  }

  /** Continue a restored run: its evaluations so far and its baseline. */
  restore(history: EvalRecord[], baseline: EvalRecord | null, config: IJepaConfig): void {
    this.history.splice(0, this.history.length, ...history);
    this.baseline = baseline ? { record: baseline, config } : null;
  }

  /** Evaluates `model` at `step`; computes the random-init baseline first when this run has none. */
  async evaluate(model: IJepaModel, step: number): Promise<QualityUpdate> {
    const config = model.config;
    if (!this.baseline || this.baseline.config !== config) {
      const random = createModel({ ...config, seed: config.seed + BASELINE_SEED_OFFSET });
      try {
        this.baseline = { record: (await this.measure(random, 0)).record, config };
      } finally {
        disposeModel(random);
      }
    }
    const { record, labelled, probeNote } = await this.measure(model, step);
    this.history.push(record);
    const verdict = collapseVerdict(this.history, this.baseline.record, config.embedDim);
    return { record, baseline: this.baseline.record, verdict, labelled, probeNote, patchView: await this.patchView(model) };
  }

  private async measure(model: IJepaModel, step: number): Promise<{ record: EvalRecord; labelled: boolean; probeNote: string }> {
    const store = this.store();
    const D = model.config.embedDim;
    const labels = Int32Array.from({ length: store.count }, (_, i) => store.label(i));
    const split = this.split();
    const numClasses = store.classNames.length;
    const heldOut = spread(split.heldOut, MAX_HELD_OUT);
    const probeTrain = spread(split.train.filter((i) => labels[i] >= 0), MAX_PROBE_TRAIN);
    const labelled = numClasses >= 2 && heldOut.length > 0 && probeTrain.length > 0;
    const indices = labelled ? [...probeTrain, ...heldOut] : spread(split.train, MAX_PROBE_TRAIN);
    const features = await embed(model, store, indices);
    const record: EvalRecord = {
      step, knn: null, probeTrain: null, probeTest: null,
      featureStd: normalizedFeatureStd(features, indices.length, D),
      rankMe: rankMe(features, indices.length, D),
      rankMeCentred: rankMe(features, indices.length, D, true),
    };
    let probeNote = numClasses < 2
      ? 'The probes are off: the dataset has no class labels (put images in one subfolder per class to turn them on).'
      : 'The probes are off: no held-out images yet.';
    if (labelled) {
      const train = subset(features, D, 0, probeTrain.length, Int32Array.from(probeTrain, (i) => labels[i]));
      const test = subset(features, D, probeTrain.length, heldOut.length, Int32Array.from(heldOut, (i) => labels[i]));
      record.knn = knnAccuracy(train, test, numClasses);
      const probe = linearProbe(train, test, numClasses);
      record.probeTrain = probe.trainAccuracy;
      record.probeTest = probe.testAccuracy;
      probeNote = `${numClasses} classes; probes trained on ${probeTrain.length} training images, tested on ${heldOut.length} held-out images (never trained on).`;
    }
    return { record, labelled, probeNote };
  }

  /** First 3 principal components of the patch features of a few held-out images, as RGB. */
  private async patchView(model: IJepaModel): Promise<PatchView | null> {
    const store = this.store();
    if (store.count === 0) return null;
    const split = this.split();
    const pool = split.heldOut.length >= PATCH_VIEW_IMAGES ? split.heldOut : split.train;
    // one image per class first, so the view shows the variety of the dataset
    const firstOfClass = [...new Map(pool.map((i) => [store.label(i), i])).values()];
    const chosen = [...new Set([...firstOfClass, ...pool])].slice(0, PATCH_VIEW_IMAGES);
    const { embedDim: D } = model.config;
    const pixels = store.gather(chosen); // [n, side, side, 3]
    const tokens = tf.tidy(() => {
      const images = prepareImages(tf.tensor4d(pixels, [chosen.length, store.side, store.side, 3], 'int32'), model.config.cropSize);
      return encode(model.targetEncoder, model.config, model.posEmbed, patchify(images, model.config.patchSize)); // [n, N, D]
    });
    const data = (await tokens.data()) as Float32Array;
    const [n, N] = tokens.shape;
    tokens.dispose();
    const rgb = componentsToRgb(pcaProject(data, n * N, D), n * N);
    return { grid: Math.round(Math.sqrt(N)), side: store.side, images: pixels, pca: rgb };
  }
}
