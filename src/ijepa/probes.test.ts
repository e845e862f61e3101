import { describe, expect, it } from 'vitest';
import { clusters, split } from '../test/clusters';
import { createRng } from './rng';
import { knnAccuracy, linearProbe, normalizedFeatureStd, rankMe } from './probes';
import { componentsToRgb, pcaProject } from './pca';

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
