// Drawing 100k points on a 600-pixel-wide chart: keep, per bucket of x, the first, the smallest
// and the largest point (in x order), so spikes and dips survive while the data stays complete.

/** Indices of the points to draw (all of them when there are few). */
export function minMaxIndices(ys: ArrayLike<number>, buckets: number): Int32Array {
  const n = ys.length;
  if (n <= buckets * 3) return Int32Array.from({ length: n }, (_, i) => i);
  const keep: number[] = [];
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(n, Math.floor((b + 1) * size));
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      if (ys[i] < ys[lo]) lo = i;
      if (ys[i] > ys[hi]) hi = i;
    }
    keep.push(...[...new Set([start, lo, hi])].sort((a, c) => a - c));
  }
  if (keep[keep.length - 1] !== n - 1) keep.push(n - 1);
  return Int32Array.from(keep);
}

/** `values` at `indices`. */
export function pick(values: ArrayLike<number>, indices: Int32Array): Float64Array {
  return Float64Array.from(indices, (i) => values[i]);
}
