// The worker's dataset: the built-in sample set or the person's files, decoded off the main
// thread at training resolution, with progress, cancel, the skip list and a summary for the page.
import type { DecodeResult } from '../data/decode';
import type { SkippedFile } from '../data/fileKinds';
import type { PickedFile } from '../data/files';
import { ImageStore } from '../data/imageStore';
import { labelsFromPaths } from '../data/labels';
import { generateSampleSet, SAMPLE_CLASSES, SAMPLE_PER_CLASS } from '../data/sampleSet';
import { heldOutSplit, type Split } from '../data/split';
import type { DatasetSummary, Thumbnail, WorkerEvent } from './protocol';

export type Decoder = (file: File, side: number) => Promise<DecodeResult>;

const THUMBNAILS = 24;
const DECODE_CONCURRENCY = 4;
const PROGRESS_INTERVAL_MS = 100;

interface LabelledFile extends PickedFile {
  label: string | null;
}

export class DatasetManager {
  store: ImageStore;
  private files: LabelledFile[] = []; // kept to decode again when the training size changes
  private skipped: SkippedFile[] = [];
  private source: DatasetSummary['source'] = 'empty';
  private importGeneration = 0; // bumped by cancel: a running import stops at its next file
  private cachedSplit: { store: ImageStore; count: number; split: Split } | null = null;

  constructor(private readonly emit: (e: WorkerEvent) => void, private readonly decode: Decoder, side: number) {
    this.store = new ImageStore(side);
  }

  /** The built-in sample set (`perClass` other than the page's only for the learning benchmark). */
  loadSampleSet(side = this.store.side, perClass = SAMPLE_PER_CLASS): void {
    this.cancelImport();
    this.store = new ImageStore(side, SAMPLE_CLASSES.length * perClass);
    this.files = [];
    this.skipped = [];
    for (const { rgb, label } of generateSampleSet(side, perClass)) this.store.add(rgb, label);
    this.source = 'sample';
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

  /** Decodes and appends files (the first import replaces the built-in sample set). Returns the
   *  number of images added. Files whose decode fails are listed, never fatal. */
  async addFiles(picked: PickedFile[], unreadable: string[] = []): Promise<number> {
    if (this.source === 'sample') this.clear();
    const generation = ++this.importGeneration;
    const labels = labelsFromPaths(picked.map((p) => p.path));
    const incoming = picked.map((p, i) => ({ ...p, label: labels[i] }));
    this.skipped.push(...unreadable.map((path) => ({ path, reason: 'unreadable' as const })));
    const started = performance.now();
    let lastProgress = 0;
    let done = 0;
    let added = 0;
    const progress = (running: boolean) => {
      const seconds = (performance.now() - started) / 1000;
      this.emit({ type: 'import', progress: { running, done, total: incoming.length, imagesPerSec: seconds > 0 ? done / seconds : 0 } });
    };
    progress(true);
    // decode a few at a time, but add in file order: the same folder always gives the same dataset
    for (let start = 0; start < incoming.length && generation === this.importGeneration; start += DECODE_CONCURRENCY) {
      const group = incoming.slice(start, start + DECODE_CONCURRENCY);
      const results = await Promise.all(group.map((item) =>
        this.decode(item.file, this.store.side).catch((): DecodeResult => ({ ok: false, reason: 'could not decode' }))));
      if (generation !== this.importGeneration) break; // cancelled meanwhile: drop the late results
      results.forEach((result, k) => {
        const item = group[k];
        if (result.ok) {
          this.store.add(result.rgb, item.label);
          this.files.push(item);
          added++;
        } else {
          this.skipped.push({ path: item.path, reason: result.reason });
        }
      });
      done += group.length;
      if (performance.now() - lastProgress > PROGRESS_INTERVAL_MS) {
        lastProgress = performance.now();
        progress(true);
      }
    }
    if (added > 0) this.source = 'files';
    progress(false);
    this.emit({ type: 'dataset', summary: this.summary() });
    return added;
  }

  /** The training size changed: decode everything again at the new size. */
  async resize(side: number): Promise<void> {
    if (side === this.store.side) return;
    if (this.source === 'sample') return this.loadSampleSet(side);
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
    return { count: store.count, side: store.side, bytes: store.bytes, classes: store.classCounts(), skipped: [...this.skipped], thumbnails, source: this.source };
  }
}
