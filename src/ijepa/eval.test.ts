import { describe, expect, it } from 'vitest';
import { createRng } from './rng';
import { collapseVerdict, type EvalRecord } from './diagnostics';
import { knnAccuracy, linearProbe, normalizedFeatureStd, rankMe, type Features } from './eval';
import { componentsToRgb, pcaProject } from './pca';

/** n points of `classes` Gaussian clusters in `dim` dimensions (separable when spread is small). */
function clusters(n: number, classes: number, dim: number, spread: number, seed: number, shuffleLabels = false): Features {
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

function split(f: Features, every = 4): [Features, Features] {
  const pick = (keep: (i: number) => boolean): Features => {
    const idx = Array.from({ length: f.n }, (_, i) => i).filter(keep);
    const data = new Float32Array(idx.length * f.dim);
    idx.forEach((i, k) => data.set(f.data.subarray(i * f.dim, (i + 1) * f.dim), k * f.dim));
    return { data, n: idx.length, dim: f.dim, labels: Int32Array.from(idx, (i) => f.labels[i]) };
  };
  return [pick((i) => i % every !== 0), pick((i) => i % every === 0)];
}

describe('kNN and linear probe', () => {
  it('reach near 100% on separable clusters', async () => {
    const [train, test] = split(clusters(400, 5, 16, 0.2, 1));
    expect(knnAccuracy(train, test, 5)).toBeGreaterThanOrEqual(0.98);
    const probe = linearProbe(train, test, 5);
    expect(probe.trainAccuracy).toBeGreaterThanOrEqual(0.98);
    expect(probe.testAccuracy).toBeGreaterThanOrEqual(0.98);
  });

  it('stay near chance on random labels', async () => {
    const [train, test] = split(clusters(800, 4, 16, 1, 2, true));
    const knn = knnAccuracy(train, test, 4);
    const probe = linearProbe(train, test, 4);
    expect(knn).toBeGreaterThan(0.1);
    expect(knn).toBeLessThan(0.4);
    expect(probe.testAccuracy).toBeLessThan(0.4);
  });
});

describe('collapse diagnostics', () => {
  it('RankMe: ~dim for an identity-like matrix, ~1 for a rank-1 matrix', () => {
    const dim = 8;
    const identity = new Float32Array(dim * dim).map((_, k) => (k % (dim + 1) === 0 ? 1 : 0));
    expect(rankMe(identity, dim, dim)).toBeCloseTo(dim, 3);
    const rng = createRng(3);
    const direction = Array.from({ length: dim }, () => rng.normal());
    const rankOne = new Float32Array(50 * dim).map((_, k) => direction[k % dim] * (1 + Math.floor(k / dim)));
    expect(rankMe(rankOne, 50, dim)).toBeLessThan(1.01);
  });

  it('feature std: ~1/sqrt(D) for isotropic features, ~0 for identical ones', () => {
    const dim = 64;
    const n = 2000;
    const rng = createRng(4);
    const isotropic = Float32Array.from({ length: n * dim }, () => rng.normal());
    expect(normalizedFeatureStd(isotropic, n, dim)).toBeCloseTo(1 / Math.sqrt(dim), 2);
    const same = new Float32Array(n * dim).map((_, k) => (k % dim) + 1);
    expect(normalizedFeatureStd(same, n, dim)).toBeLessThan(1e-6);
  });

  it("centred feature std: blind to a shared offset (a ViT's position embedding), small for a few directions", () => {
    const dim = 64;
    const n = 2000;
    const rng = createRng(5);
    const isotropic = Float32Array.from({ length: n * dim }, () => rng.normal());
    const offset = isotropic.map((v, k) => v + 20 * Math.sin(k % dim)); // every image shares a large mean
    expect(normalizedFeatureStd(offset, n, dim)).toBeLessThan(0.5 / Math.sqrt(dim)); // uncentred: looks collapsed
    expect(normalizedFeatureStd(offset, n, dim, true)).toBeCloseTo(1 / Math.sqrt(dim), 2); // centred: spread evenly
    const twoDirections = Float32Array.from({ length: n * dim }, (_, k) => (k % dim < 2 ? rng.normal() : 0));
    expect(normalizedFeatureStd(twoDirections, n, dim, true)).toBeLessThan(0.3 / Math.sqrt(dim));
  });

  it('says when the representation collapsed, is collapsing, or does not beat random', () => {
    const record = (over: Partial<EvalRecord>): EvalRecord => ({
      step: 0,
      knn: 0.5,
      probeTrain: 0.5,
      probeTest: 0.5,
      featureStd: 0.12,
      rankMe: 5,
      rankMeCentred: 9,
      ...over,
    });
    expect(collapseVerdict([record({})], null, 64).level).toBe('ok');
    expect(collapseVerdict([record({ featureStd: 0.001, rankMeCentred: 1.3 })], null, 64).level).toBe('collapsed');
    expect(collapseVerdict([record({}), record({ featureStd: 0.05, rankMeCentred: 4 })], null, 64).level).toBe('warning');
    const baseline = record({ knn: 0.6 });
    expect(collapseVerdict([record({}), record({}), record({ knn: 0.4 })], baseline, 64).message).toMatch(/below the random encoder/);
  });
});

describe('PCA of patch features', () => {
  it('finds the dominant directions and maps them to 0-255', () => {
    // points along x with a little y: the first component is x
    const rng = createRng(5);
    const n = 100;
    const data = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) data.set([i, 0.1 * rng.normal(), 0.01 * rng.normal()], i * 3);
    const projected = pcaProject(data, n, 3);
    const first = Array.from({ length: n }, (_, i) => projected[i * 3]);
    const increasing = first[n - 1] > first[0];
    for (let i = 1; i < n; i++) expect(first[i] > first[i - 1]).toBe(increasing);
    const rgb = componentsToRgb(projected, n);
    expect(Math.max(...rgb.filter((_, k) => k % 3 === 0))).toBe(255);
    expect(Math.min(...rgb.filter((_, k) => k % 3 === 0))).toBe(0);
  });
});
