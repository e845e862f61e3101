// Labelled feature sets for the probe tests: Gaussian clusters, and a train/test split of them.
import type { Features } from '../ijepa/probes';
import { createRng } from '../ijepa/rng';

/** n points of `classes` Gaussian clusters in `dim` dimensions (separable when spread is small). */
export function clusters(n: number, classes: number, dim: number, spread: number, seed: number, shuffleLabels = false): Features {
  const rng = createRng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.normal()));
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = shuffleLabels ? rng.int(0, classes) : c;
    for (let d = 0; d < dim; d++) data[i * dim + d] = centres[c][d] + spread * rng.normal();
  }
  return { data, n, dim, labels };
}

export function split(f: Features, every = 4): [Features, Features] {
  const pick = (keep: (i: number) => boolean): Features => {
    const idx = Array.from({ length: f.n }, (_, i) => i).filter(keep);
    const data = new Float32Array(idx.length * f.dim);
    idx.forEach((i, k) => data.set(f.data.subarray(i * f.dim, (i + 1) * f.dim), k * f.dim));
    return { data, n: idx.length, dim: f.dim, labels: Int32Array.from(idx, (i) => f.labels[i]) };
  };
  return [pick((i) => i % every !== 0), pick((i) => i % every === 0)];
}
