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
