// The first principal components of a set of feature vectors, for the patch-feature view: the
// patch tokens of a few images projected on their top 3 components and shown as RGB.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Column means (zeros unless `centre`) and the dim x dim scatter matrix sum_i (x_i - mean)(x_i - mean)^T
 *  of n rows of width dim: what PCA and the singular values behind RankMe both start from. */
export function scatterMatrix(data: Float32Array, n: number, dim: number, centre = true): { mean: Float64Array; scatter: Matrix } {
  const mean = new Float64Array(dim);
  if (centre) for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += data[i * dim + d] / n;
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
  const out = new Float32Array(n * components);
  for (let i = 0; i < n; i++) {
    order.forEach((column, c) => {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (data[i * dim + d] - mean[d]) * vectors.get(d, column);
      out[i * components + c] = s;
    });
  }
  return out;
}

/** Components -> RGB bytes: each component min-max scaled to 0-255 over all rows. */
export function componentsToRgb(projected: Float32Array, n: number, components = 3): Uint8Array {
  const rgb = new Uint8Array(n * 3);
  for (let c = 0; c < Math.min(3, components); c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, projected[i * components + c]);
      hi = Math.max(hi, projected[i * components + c]);
    }
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    for (let i = 0; i < n; i++) rgb[i * 3 + c] = Math.round((projected[i * components + c] - lo) * scale);
  }
  return rgb;
}
