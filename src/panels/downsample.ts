// Drawing 100k points on a 600-pixel-wide chart: keep, per bucket of x, the first, the smallest
// and the largest point (in x order), so spikes and dips survive while the data stays complete.

export interface XY {
  xs: Float64Array;
  ys: Float64Array;
}

export function minMaxDownsample(xs: ArrayLike<number>, ys: ArrayLike<number>, buckets: number): XY {
  const n = xs.length;
  if (n <= buckets * 3) return { xs: Float64Array.from(xs), ys: Float64Array.from(ys) };
  const outX: number[] = [];
  const outY: number[] = [];
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
    for (const i of [...new Set([start, lo, hi])].sort((a, c) => a - c)) {
      outX.push(xs[i]);
      outY.push(ys[i]);
    }
  }
  if (outX[outX.length - 1] !== xs[n - 1]) {
    outX.push(xs[n - 1]);
    outY.push(ys[n - 1]);
  }
  return { xs: Float64Array.from(outX), ys: Float64Array.from(outY) };
}
