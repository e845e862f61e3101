// Evaluating a representation (docs/IJEPA_SPEC.md section 4) on frozen, average-pooled features:
// kNN (k = 20, cosine, DINO's similarity-weighted vote), a linear probe (multinomial logistic
// regression), and the collapse diagnostics: std of L2-normalised features and RankMe.
import { EigenvalueDecomposition } from 'ml-matrix';
import { centredRows, columnMeans, scatterMatrix } from './pca';

/** n feature vectors of width dim, row-major, with a class id per row (-1: none). */
export interface Features {
  data: Float32Array;
  n: number;
  dim: number;
  labels: Int32Array;
}

export function l2NormalizeRows(data: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += data[i * dim + d] ** 2;
    const inv = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dim; d++) out[i * dim + d] = data[i * dim + d] * inv;
  }
  return out;
}

/** kNN accuracy of `test` against `train`: cosine similarity, the k most similar vote with weight
 *  exp(similarity / temperature) (as DINO's and I-JEPA's evaluation code). */
export function knnAccuracy(train: Features, test: Features, numClasses: number, k = 20, temperature = 0.07): number {
  const a = l2NormalizeRows(train.data, train.n, train.dim);
  const b = l2NormalizeRows(test.data, test.n, test.dim);
  const similarities = new Float32Array(test.n * train.n); // [test, train]
  for (let i = 0; i < test.n; i++) {
    for (let j = 0; j < train.n; j++) {
      let s = 0;
      for (let d = 0; d < train.dim; d++) s += b[i * train.dim + d] * a[j * train.dim + d];
      similarities[i * train.n + j] = s;
    }
  }
  return knnVote(similarities, train.labels, test.labels, numClasses, k, temperature);
}

/** The kNN vote on precomputed cosine similarities [test, train] (row-major). */
export function knnVote(
  similarities: Float32Array,
  trainLabels: Int32Array,
  testLabels: Int32Array,
  numClasses: number,
  k = 20,
  temperature = 0.07,
): number {
  const nTrain = trainLabels.length;
  const kk = Math.min(k, nTrain);
  let correct = 0;
  for (let i = 0; i < testLabels.length; i++) {
    const sims = similarities.subarray(i * nTrain, (i + 1) * nTrain);
    const nearest = Array.from(sims.keys())
      .sort((x, y) => sims[y] - sims[x])
      .slice(0, kk);
    const votes = new Float64Array(numClasses);
    for (const j of nearest) votes[trainLabels[j]] += Math.exp(sims[j] / temperature);
    if (votes.indexOf(Math.max(...votes)) === testLabels[i]) correct++;
  }
  return testLabels.length > 0 ? correct / testLabels.length : 0;
}

/** Full-batch iterations of the linear probe (both implementations). */
export const PROBE_ITERATIONS = 300;

export interface ProbeResult {
  trainAccuracy: number;
  testAccuracy: number;
}

/** Linear probe: multinomial logistic regression on standardised features, full-batch Adam with a
 *  small L2 penalty, from zero weights (deterministic). Plain TypeScript: a few hundred small
 *  iterations cost less on the CPU than as thousands of GPU dispatches beside the training. */
export function linearProbe(
  train: Features,
  test: Features,
  numClasses: number,
  iterations = PROBE_ITERATIONS,
  learningRate = 0.05,
  l2 = 1e-4,
): ProbeResult {
  const { dim } = train;
  const C = numClasses;
  const mean = columnMeans(train.data, train.n, dim);
  const std = new Float64Array(dim);
  for (let i = 0; i < train.n; i++) for (let d = 0; d < dim; d++) std[d] += (train.data[i * dim + d] - mean[d]) ** 2 / train.n;
  for (let d = 0; d < dim; d++) std[d] = Math.sqrt(std[d]) + 1e-6;
  const standardise = (f: Features) => Float64Array.from(f.data, (v, k) => (v - mean[k % dim]) / std[k % dim]);
  const x = standardise(train);
  const weights = new Float64Array(dim * C); // [dim, C]
  const bias = new Float64Array(C);
  const params = [weights, bias];
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const logits = (features: Float64Array, i: number, out: Float64Array) => {
    for (let c = 0; c < C; c++) {
      let z = bias[c];
      for (let d = 0; d < dim; d++) z += features[i * dim + d] * weights[d * C + c];
      out[c] = z;
    }
  };
  const p = new Float64Array(C);
  const grads = params.map((q) => new Float64Array(q.length));
  for (let it = 1; it <= iterations; it++) {
    grads.forEach((g) => g.fill(0));
    for (let i = 0; i < train.n; i++) {
      logits(x, i, p);
      const max = Math.max(...p);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += p[c] = Math.exp(p[c] - max);
      for (let c = 0; c < C; c++) {
        const err = (p[c] / sum - (train.labels[i] === c ? 1 : 0)) / train.n; // d(mean cross-entropy)/d(logit)
        grads[1][c] += err;
        for (let d = 0; d < dim; d++) grads[0][d * C + c] += err * x[i * dim + d];
      }
    }
    for (let k = 0; k < weights.length; k++) grads[0][k] += 2 * l2 * weights[k];
    params.forEach((q, j) => {
      for (let k = 0; k < q.length; k++) {
        m[j][k] = 0.9 * m[j][k] + 0.1 * grads[j][k];
        v[j][k] = 0.999 * v[j][k] + 0.001 * grads[j][k] ** 2;
        q[k] -= (learningRate * m[j][k]) / (1 - 0.9 ** it) / (Math.sqrt(v[j][k] / (1 - 0.999 ** it)) + 1e-8);
      }
    });
  }
  const accuracy = (f: Features) => {
    if (f.n === 0) return 0;
    const features = standardise(f);
    let correct = 0;
    for (let i = 0; i < f.n; i++) {
      logits(features, i, p);
      if (p.indexOf(Math.max(...p)) === f.labels[i]) correct++;
    }
    return correct / f.n;
  };
  return { trainAccuracy: accuracy(train), testAccuracy: accuracy(test) };
}

/** Singular values of the n x dim matrix (from the eigenvalues of its dim x dim Gram matrix). */
export function singularValues(data: Float32Array, n: number, dim: number, centre = false): number[] {
  const eigen = new EigenvalueDecomposition(scatterMatrix(data, n, dim, centre).scatter, { assumeSymmetric: true });
  return eigen.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0))).sort((a, b) => b - a);
}

/** RankMe (Garrido et al. 2023): exp of the entropy of the normalised singular values. */
export function rankMe(data: Float32Array, n: number, dim: number, centre = false): number {
  const sigma = singularValues(data, n, dim, centre);
  const total = sigma.reduce((a, b) => a + b, 0);
  if (total === 0) return 1;
  const eps = 1e-7;
  const entropy = -sigma.reduce((h, s) => {
    const p = s / total + eps;
    return h + p * Math.log(p);
  }, 0);
  return Math.exp(entropy);
}

/** Mean over dimensions of the std across samples of L2-normalised features. Uncentred, it falls
 *  toward 0 when every image maps to the same features (collapse to a point), but a ViT's pooled
 *  features share a large mean direction from the start (the position embedding), so it is small
 *  for a random encoder too: compare it with the random encoder's. Centred (the mean feature removed
 *  before normalising), it is about 1/sqrt(dim) when the features spread evenly around their mean,
 *  whatever their shared offset, and smaller when they spread along a few directions only. */
export function normalizedFeatureStd(data: Float32Array, n: number, dim: number, centre = false): number {
  const z = l2NormalizeRows(centre ? centredRows(data, n, dim) : data, n, dim);
  let sum = 0;
  for (let d = 0; d < dim; d++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += z[i * dim + d] / n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (z[i * dim + d] - m) ** 2 / n;
    sum += Math.sqrt(variance);
  }
  return sum / dim;
}
