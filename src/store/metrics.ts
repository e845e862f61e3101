// High-rate series (one value per step) kept outside React state in growable typed arrays:
// panels read them in requestAnimationFrame, React only sees coarse status.
import { MASKS_PER_UPDATE, STEP_FIELDS as FIELDS, type MaskRecord, type StepField, type StepRecord } from '../worker/protocol';
import { appendColumns, Series } from '../worker/run/series';

export type MetricField = StepField;

/** Every step of the current run, and the masks of the most recent batches. */
export class RunHistory {
  readonly series: Record<MetricField, Series> = Object.fromEntries(FIELDS.map((f) => [f, new Series()])) as Record<MetricField, Series>;
  readonly masks: MaskRecord[] = [];
  /** The pixel decoder's mean PSNR per step (dB) of its two readings of the shown blocks: the target
   *  features ("what the representation keeps") and the predictor's output ("what it imagines"). */
  readonly decoded = { step: new Series(), keeps: new Series(), imagines: new Series() };
  version = 0; // bumped on every change, so a panel redraws only when needed

  constructor(private readonly maskCapacity = MASKS_PER_UPDATE) {}

  append(records: readonly StepRecord[], masks: readonly MaskRecord[]): void {
    for (const record of records) for (const f of FIELDS) this.series[f].push(record[f]);
    this.masks.push(...masks);
    for (const { step, decoded } of masks) {
      if (!decoded) continue;
      this.decoded.step.push(step);
      this.decoded.keeps.push(mean(decoded.psnrTargets));
      this.decoded.imagines.push(mean(decoded.psnrPredicted));
    }
    if (this.masks.length > this.maskCapacity) this.masks.splice(0, this.masks.length - this.maskCapacity);
    this.version++;
  }

  /** Replaces the history with a restored run's columns. */
  load(columns: Record<MetricField, ArrayLike<number>>): void {
    this.clear();
    appendColumns(this.series, columns, FIELDS);
    this.version++;
  }

  clear(): void {
    for (const f of FIELDS) this.series[f].clear();
    for (const series of Object.values(this.decoded)) series.clear();
    this.masks.length = 0;
    this.version++;
  }
}

const mean = (values: Float32Array) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

export const runHistory = new RunHistory();
