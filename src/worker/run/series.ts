// A growable column of numbers (one value per step): cheap to append, cheap to read as a view.

export class Series {
  private data = new Float64Array(1024);
  private size = 0;

  get length(): number {
    return this.size;
  }
  push(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = value;
  }
  /** A view of the values (valid until the next push). */
  values(): Float64Array {
    return this.data.subarray(0, this.size);
  }
  last(): number | undefined {
    return this.size > 0 ? this.data[this.size - 1] : undefined;
  }
  clear(): void {
    this.size = 0;
  }
}

/** Appends stored columns row by row, up to the shortest one (so a torn file cannot misalign rows). */
export function appendColumns<F extends string>(
  target: Record<F, Series>,
  columns: Record<F, ArrayLike<number>>,
  fields: readonly F[],
): void {
  const length = Math.min(...fields.map((f) => columns[f].length));
  for (let i = 0; i < length; i++) for (const f of fields) target[f].push(columns[f][i]);
}
