// erf as tfjs computes it on every backend (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), so the
// fused GELU kernels agree with tf.erf.
export const ERF_P = 0.3275911;
export const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429] as const;

export function erf(v: number): number {
  const x = Math.abs(v);
  const t = 1 / (1 + ERF_P * x);
  const [a1, a2, a3, a4, a5] = ERF_A;
  return Math.sign(v) * (1 - ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t * Math.exp(-x * x));
}
