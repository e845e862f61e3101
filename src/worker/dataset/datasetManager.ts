// The worker's dataset: a built-in set (the procedural patterns, or the bundled MNIST digits) or the
// person's files, decoded off the main thread at training resolution, with progress, cancel, the skip
// list and a summary for the page.
import type { DecodeResult } from '../../data/decode';
import type { SkippedFile } from '../../data/fileKinds';
import type { PickedFile } from '../../data/files';
import { ImageStore } from '../../data/imageStore';
import { labelsFromPaths } from '../../data/labels';
import { digitImages, loadDigitBytes, type DigitBytes } from '../../data/digits';
import { generateSampleSet, SAMPLE_PER_CLASS } from '../../data/sampleSet';
import { heldOutSplit, type Split } from '../../data/split';
import type { BuiltinSet, DatasetSummary, Thumbnail, WorkerEvent } from '../protocol';

/** Turns a file into training pixels; `parallel` decodes can run at once (./decoderPool.ts). */
export interface Decoder {
  decode(file: File, side: number): Promise<DecodeResult>;
  readonly parallel: number;
}

const THUMBNAILS = 24;
const IN_FLIGHT_PER_DECODER = 2; // a decoder always has its next file waiting
const PROGRESS_INTERVAL_MS = 100;
const SUMMARY_INTERVAL_MS = 1000; // during an import the page sees the dataset grow (training may use it already)

let digitBytes: DigitBytes | undefined; // the digits chunk, loaded once per worker

interface LabelledFile extends PickedFile {
  label: string | null;
}

export class DatasetManager {
  store: ImageStore;
  private files: LabelledFile[] = []; // kept to decode again when the training size changes
  private skipped: SkippedFile[] = [];
  private source: DatasetSummary['source'] = 'empty';
  private importGeneration = 0; // bumped by cancel: a running import stops at its next file
  private importing = false;
  private cachedSplit: { store: ImageStore; count: number; split: Split } | null = null;

  constructor(
    private readonly emit: (e: WorkerEvent) => void,
    private readonly decoder: Decoder,
    side: number,
  ) {
    this.store = new ImageStore(side);
  }

  /** A built-in set at `side` (`perClass` other than the page's only for the learning benchmark). */
  async loadBuiltin(set: BuiltinSet, side = this.store.side, perClass?: number): Promise<void> {
    this.cancelImport();
    const images =
      set === 'digits'
        ? digitImages((digitBytes ??= await loadDigitBytes()), side, perClass)
        : generateSampleSet(side, perClass ?? SAMPLE_PER_CLASS);
    this.store = new ImageStore(side, 1024);
    this.files = [];
    this.skipped = [];
    for (const { rgb, label } of images) this.store.add(rgb, label);
    this.source = set;
    this.emit({ type: 'dataset', summary: this.summary() });
  }

  clear(): void {
    this.cancelImport();
    this.store = new ImageStore(this.store.side);
    this.files = [];
    this.skipped = [];
    this.source = 'empty';
    this.emit({ type: 'dataset', summary: this.summary() });
  }

  cancelImport(): void {
    this.importGeneration++;
  }

  /** Decodes and appends files (the first import replaces a built-in set). Returns the
   *  number of images added. Files whose decode fails are listed, never fatal. Decoding runs on every
   *  decoder at once; images are added in file order (the same folder always gives the same dataset)
   *  as they come, so a run can train on them while the rest is still decoding. */
  async addFiles(picked: PickedFile[], unreadable: string[] = []): Promise<number> {
    // a built-in set goes when the first image is in: a folder of unusable files leaves it as it was
    let replaceSample = this.source === 'patterns' || this.source === 'digits';
    const generation = ++this.importGeneration;
    const labels = labelsFromPaths(picked.map((p) => p.path));
    const incoming = picked.map((p, i) => ({ ...p, label: labels[i] }));
    for (const path of unreadable) this.skip({ path, reason: 'unreadable' });
    this.importing = true;
    const started = performance.now();
    let lastProgress = 0;
    let lastSummary = started;
    let done = 0;
    let added = 0;
    const progress = (running: boolean) => {
      const seconds = (performance.now() - started) / 1000;
      this.emit({
        type: 'import',
        progress: {
          running,
          done,
          total: incoming.length,
          imagesPerSec: seconds > 0 ? done / seconds : 0,
          decoders: this.decoder.parallel,
        },
      });
    };
    progress(true);
    const inFlight = new Map<number, Promise<DecodeResult>>();
    const decode = (k: number) =>
      this.decoder.decode(incoming[k].file, this.store.side).catch((): DecodeResult => ({ ok: false, reason: 'could not decode' }));
    let next = 0;
    try {
      for (let k = 0; k < incoming.length && generation === this.importGeneration; k++) {
        while (next < incoming.length && next < k + this.decoder.parallel * IN_FLIGHT_PER_DECODER) inFlight.set(next, decode(next++));
        const result = await inFlight.get(k)!;
        inFlight.delete(k);
        if (generation !== this.importGeneration) break; // cancelled meanwhile: drop the late results
        const item = incoming[k];
        if (result.ok) {
          if (replaceSample) {
            this.store = new ImageStore(this.store.side);
            this.files = [];
            replaceSample = false;
          }
          this.store.add(result.rgb, item.label);
          this.files.push(item);
          this.source = 'files';
          added++;
        } else {
          this.skip({ path: item.path, reason: result.reason });
        }
        done++;
        const now = performance.now();
        if (now - lastProgress > PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          progress(true);
        }
        if (now - lastSummary > SUMMARY_INTERVAL_MS) {
          lastSummary = now;
          this.emit({ type: 'dataset', summary: this.summary() });
        }
      }
    } finally {
      this.importing = false;
    }
    progress(false);
    this.emit({ type: 'dataset', summary: this.summary() });
    return added;
  }

  /** Lists a skipped file once, however often it is picked again. */
  private skip(file: SkippedFile): void {
    if (!this.skipped.some((s) => s.path === file.path && s.reason === file.reason)) this.skipped.push(file);
  }

  /** True while files are being decoded (a run may wait for the first ones). */
  get isImporting(): boolean {
    return this.importing;
  }

  /** The training size changed: decode everything again at the new size. */
  async resize(side: number): Promise<void> {
    if (side === this.store.side) return;
    if (this.source === 'patterns' || this.source === 'digits') return this.loadBuiltin(this.source, side);
    const files = this.files;
    this.store = new ImageStore(side);
    this.files = [];
    this.skipped = [];
    this.source = files.length > 0 ? 'files' : 'empty';
    if (files.length > 0) await this.addFiles(files);
    else this.emit({ type: 'dataset', summary: this.summary() });
  }

  /** The held-out split of the current images (cached until the dataset changes). Training
   *  batches come from `train` only: held-out images are never trained on. */
  split(): Split {
    const { store } = this;
    if (this.cachedSplit?.store !== store || this.cachedSplit.count !== store.count) {
      const labels = Int32Array.from({ length: store.count }, (_, i) => store.label(i));
      this.cachedSplit = { store, count: store.count, split: heldOutSplit(labels) };
    }
    return this.cachedSplit.split;
  }

  summary(): DatasetSummary {
    const { store } = this;
    // a few thumbnails of every class, round robin, so the strip shows the variety
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < store.count; i++) {
      const list = byClass.get(store.label(i)) ?? [];
      if (list.length < THUMBNAILS) list.push(i);
      byClass.set(store.label(i), list);
    }
    const thumbnails: Thumbnail[] = [];
    const longest = Math.max(0, ...[...byClass.values()].map((l) => l.length));
    for (let round = 0; round < longest && thumbnails.length < THUMBNAILS; round++) {
      for (const list of byClass.values()) {
        if (round < list.length && thumbnails.length < THUMBNAILS) {
          const index = list[round];
          const id = store.label(index);
          thumbnails.push({ index, label: id < 0 ? null : store.classNames[id], rgb: store.image(index).slice() });
        }
      }
    }
    return {
      count: store.count,
      side: store.side,
      bytes: store.bytes,
      classes: store.classCounts(),
      skipped: [...this.skipped],
      thumbnails,
      source: this.source,
    };
  }
}
