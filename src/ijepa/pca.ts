// The first principal components of a set of feature vectors, shown as RGB: for the patch-feature
// view (the patch tokens of a few held-out images) and the predictor's view (a step's target blocks
// and the predictor's guesses, through one shared projection).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** The mean of each of the dim columns of n rows. */
export function columnMeans(data: Float32Array, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += data[i * dim + d] / n;
  return mean;
}

/** The rows with their column means subtracted. */
export function centredRows(data: Float32Array, n: number, dim: number): Float32Array {
  const mean = columnMeans(data, n, dim);
  return data.map((v, k) => v - mean[k % dim]);
}

/** Column means (zeros unless `centre`) and the dim x dim scatter matrix sum_i (x_i - mean)(x_i - mean)^T
 *  of n rows of width dim: what PCA and the singular values behind RankMe both start from. */
export function scatterMatrix(data: Float32Array, n: number, dim: number, centre = true): { mean: Float64Array; scatter: Matrix } {
  const mean = centre ? columnMeans(data, n, dim) : new Float64Array(dim);
  const scatter = Matrix.zeros(dim, dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = data[i * dim + d] - mean[d];
    for (let p = 0; p < dim; p++) for (let q = p; q < dim; q++) scatter.set(p, q, scatter.get(p, q) + row[p] * row[q]);
  }
  for (let p = 0; p < dim; p++) for (let q = 0; q < p; q++) scatter.set(p, q, scatter.get(q, p));
  return { mean, scatter };
}

/** Projects n rows of width dim on their top `components` principal directions: [n, components]. */
export function pcaProject(data: Float32Array, n: number, dim: number, components = 3): Float32Array {
  const { mean, scatter: cov } = scatterMatrix(data, n, dim);
  const eigen = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const order = eigen.realEigenvalues
    .map((v, i) => [v, i])
    .sort((a, b) => b[0] - a[0])
    .slice(0, components)
    .map(([, i]) => i);
  const vectors = eigen.eigenvectorMatrix;
  const directions = new Float64Array(components * dim); // [components, dim]
  order.forEach((column, c) => {
    for (let d = 0; d < dim; d++) directions[c * dim + d] = vectors.get(d, column);
  });
  return projectRows(data, n, dim, mean, directions);
}

/** The top `k` principal directions ([k, dim], unit rows, largest variance first) and the mean of n
 *  rows, by orthogonal (subspace) iteration: O(n * dim * k) per iteration instead of a dim^3
 *  eigendecomposition, for a view recomputed at every training step. `start` (the previous step's
 *  directions) makes a few iterations enough; without it the iteration starts from fixed vectors. */
export function topDirections(
  data: Float32Array,
  n: number,
  dim: number,
  k = 3,
  iterations = 8,
  start?: Float64Array,
): { mean: Float64Array; directions: Float64Array } {
  const mean = columnMeans(data, n, dim);
  let v =
    start?.length === k * dim
      ? start.slice()
      : Float64Array.from({ length: k * dim }, (_, j) => (Math.sin(1 + j * 12.9898) * 43758.5453) % 1);
  const projection = new Float64Array(k);
  for (let it = 0; it < iterations; it++) {
    const w = new Float64Array(k * dim); // X^T X v for the centred X
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += (data[i * dim + d] - mean[d]) * v[c * dim + d];
        projection[c] = s;
      }
      for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) w[c * dim + d] += projection[c] * (data[i * dim + d] - mean[d]);
    }
    orthonormaliseRows(w, k, dim);
    v = w;
  }
  return { mean, directions: v };
}

/** Gram-Schmidt on the k rows of `m` (in place); a row that vanishes stays zero. */
function orthonormaliseRows(m: Float64Array, k: number, dim: number): void {
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += m[c * dim + d] * m[p * dim + d];
      for (let d = 0; d < dim; d++) m[c * dim + d] -= dot * m[p * dim + d];
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += m[c * dim + d] ** 2;
    const scale = norm > 1e-20 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) m[c * dim + d] *= scale;
  }
}

/** n rows of width dim on the given directions (about `mean`): [n, k]. */
export function projectRows(data: Float32Array, n: number, dim: number, mean: Float64Array, directions: Float64Array): Float32Array {
  const k = directions.length / dim;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (data[i * dim + d] - mean[d]) * directions[c * dim + d];
      out[i * k + c] = s;
    }
  }
  return out;
}

/** Per component: the lowest and highest value over n rows of [n, components]. */
export function componentRanges(projected: Float32Array, n: number, components = 3): Array<[number, number]> {
  return Array.from({ length: components }, (_, c) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, projected[i * components + c]);
      hi = Math.max(hi, projected[i * components + c]);
    }
    return [lo, hi];
  });
}

/** Components -> RGB bytes: each of the first 3 components scaled from its range to 0-255 (clamped,
 *  so rows projected through another set's ranges, e.g. predictions through the targets', compare). */
export function componentsToRgb(
  projected: Float32Array,
  n: number,
  components = 3,
  ranges = componentRanges(projected, n, components),
): Uint8Array {
  const rgb = new Uint8Array(n * 3);
  for (let c = 0; c < Math.min(3, components); c++) {
    const [lo, hi] = ranges[c];
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    for (let i = 0; i < n; i++) rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round((projected[i * components + c] - lo) * scale)));
  }
  return rgb;
}
