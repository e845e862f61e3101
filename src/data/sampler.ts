// Batches without replacement: a fresh seeded permutation of the images every epoch, so a run is
// reproducible and every image is seen once per epoch.
import { createRng } from '../ijepa/rng';

export class EpochSampler {
  private order: number[] = [];
  private cursor = 0;
  private epoch = 0;

  constructor(
    private readonly seed: number,
    private count: number,
  ) {}

  /** A sampler that has already handed out `consumed` indices (to resume a run exactly). */
  static resumed(seed: number, count: number, consumed: number): EpochSampler {
    const sampler = new EpochSampler(seed, count);
    if (count === 0) return sampler;
    sampler.epoch = Math.floor(consumed / count);
    sampler.shuffle();
    sampler.cursor = consumed % count;
    return sampler;
  }

  /** The dataset grew (images still streaming in): the next epoch uses the new size. It shrank (another
   *  dataset replaced it): a new epoch starts now, since this one may hold indices that are gone. */
  resize(count: number): void {
    const shrank = count < this.count;
    this.count = count;
    if (shrank) this.cursor = this.order.length; // the next draw shuffles
  }

  /** B image indices (a batch may wrap into the next epoch). */
  next(batchSize: number): number[] {
    if (this.count === 0) throw new Error('the dataset is empty');
    const batch: number[] = [];
    while (batch.length < batchSize) {
      if (this.cursor >= this.order.length) this.shuffle();
      batch.push(this.order[this.cursor++]);
    }
    return batch;
  }

  private shuffle(): void {
    const rng = createRng(this.seed ^ 0x73616d70, this.epoch++);
    this.order = Array.from({ length: this.count }, (_, i) => i);
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = rng.int(0, i + 1);
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
    this.cursor = 0;
  }
}
