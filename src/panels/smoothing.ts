// TensorBoard's loss smoothing: an exponential moving average debiased for its zero start, so the
// first points are not pulled toward 0. Non-finite values pass through unsmoothed.

export function debiasedEma(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count++;
    out[i] = weight === 1 ? last : last / (1 - weight ** count);
  }
  return out;
}
