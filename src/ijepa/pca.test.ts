import { describe, expect, it } from 'vitest';
import { componentsToRgb, pcaProject, projectRows, topDirections } from './pca';
import { createRng } from './rng';

/** n rows of width dim with the variance falling off per dimension, in a rotated basis. */
function anisotropic(n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) data[i * dim + d] = (rng.normal() * 4) / (1 + d) + 2;
  // mix the axes so the directions are not the coordinate axes
  for (let i = 0; i < n; i++) {
    const row = data.subarray(i * dim, (i + 1) * dim);
    const [a, b] = [row[0], row[1]];
    row[0] = 0.8 * a - 0.6 * b;
    row[1] = 0.6 * a + 0.8 * b;
  }
  return data;
}

describe('top principal directions by subspace iteration', () => {
  it('gives the projections of the full eigendecomposition, up to sign', () => {
    const n = 300;
    const dim = 24;
    const data = anisotropic(n, dim, 3);
    const exact = pcaProject(data, n, dim);
    const { mean, directions } = topDirections(data, n, dim, 3, 60);
    const fast = projectRows(data, n, dim, mean, directions);
    for (let c = 0; c < 3; c++) {
      const sign = Math.sign(exact[c] * fast[c]) || 1;
      for (let i = 0; i < n; i++) expect(fast[i * 3 + c] * sign).toBeCloseTo(exact[i * 3 + c], 2);
    }
  });

  it('needs only a few iterations from the previous directions', () => {
    const n = 200;
    const dim = 16;
    const before = topDirections(anisotropic(n, dim, 1), n, dim, 3, 60).directions;
    const data = anisotropic(n, dim, 2); // the next step: other rows, same structure
    const converged = topDirections(data, n, dim, 3, 60).directions;
    const warm = topDirections(data, n, dim, 3, 3, before).directions;
    for (let c = 0; c < 3; c++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += warm[c * dim + d] * converged[c * dim + d];
      expect(Math.abs(dot)).toBeGreaterThan(0.99);
    }
  });

  it('maps other rows through the same ranges, clamped', () => {
    const targets = Float32Array.from([0, 0, 0, 10, 10, 10]); // two rows, three components
    const ranges = [
      [0, 10],
      [0, 10],
      [0, 10],
    ] as Array<[number, number]>;
    expect(Array.from(componentsToRgb(Float32Array.from([5, -3, 20]), 1, 3, ranges))).toEqual([128, 0, 255]);
    expect(Array.from(componentsToRgb(targets, 2))).toEqual([0, 0, 0, 255, 255, 255]);
  });
});
