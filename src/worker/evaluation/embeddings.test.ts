import { describe, expect, it } from 'vitest';
import { embeddingMap, nearestRows } from './embeddings';

describe('nearest neighbours and the embedding map', () => {
  // centred on their mean (zero here): row 3 points the same way as row 0, row 1 close to it
  const embedded = {
    indices: [10, 11, 12, 13],
    dim: 2,
    features: Float32Array.from([1, 0, 0.9, 0.3, -3, -0.3, 1.1, 0]),
  };

  it('orders by cosine similarity of the centred features; the query first among identical directions', () => {
    expect(nearestRows(embedded, 0, 4).map((n) => n.row)).toEqual([0, 3, 1, 2]);
    expect(nearestRows(embedded, 3, 2).map((n) => n.row)).toEqual([3, 0]);
    expect(nearestRows(embedded, 2, 10).length).toBe(4);
    expect(nearestRows(embedded, 0, 1)[0].similarity).toBeCloseTo(1, 6);
  });

  it('ignores an offset that every image shares', () => {
    const shifted = { ...embedded, features: embedded.features.map((v) => v + 50) };
    expect(nearestRows(shifted, 1, 4)).toEqual(
      nearestRows(embedded, 1, 4).map((n) => ({ ...n, similarity: expect.closeTo(n.similarity, 4) })),
    );
  });

  it('maps rows on their first two principal components, mirrored to agree with the previous map', () => {
    const labels = Int32Array.from([0, 0, 1, 1]);
    const first = embeddingMap(embedded, [0, 1, 2, 3], labels, 0, null);
    expect(Array.from(first.indices)).toEqual([10, 11, 12, 13]);
    expect(first.points.length).toBe(8);
    const mirrored = { ...first, points: first.points.map((v) => -v) };
    const next = embeddingMap(embedded, [0, 1, 2, 3], labels, 5, mirrored);
    expect(Array.from(next.points)).toEqual(Array.from(mirrored.points));
    expect(next.step).toBe(5);
  });
});
