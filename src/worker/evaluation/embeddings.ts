// What the encoder learned, from the features an evaluation has just computed (no extra pass): the
// nearest neighbours of any evaluated image under the trained and the random-init encoder, and a
// 2-D map of the held-out images (their first two principal components).
import { l2NormalizeRows } from '../../ijepa/probes';
import { centredRows, pcaProject } from '../../ijepa/pca';
import type { EmbeddingMap } from '../protocol';

/** Pooled features of the images an evaluation embedded, in its order. */
export interface Embedded {
  indices: number[]; // dataset indices
  features: Float32Array; // [n, dim]
  dim: number;
}

/** The k rows most similar to row `query`, most similar first (the query itself among them): cosine
 *  similarity of the features centred on their mean. Pooled ViT features share a large offset (every
 *  cosine of the raw features is about 1, for a random encoder too); without it the similarities say
 *  how alike two images are relative to the set. */
export function nearestRows(embedded: Embedded, query: number, k: number): { row: number; similarity: number }[] {
  const { dim } = embedded;
  const n = embedded.indices.length;
  const unit = l2NormalizeRows(centredRows(embedded.features, n, dim), n, dim);
  const similarity = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += unit[i * dim + d] * unit[query * dim + d];
    similarity[i] = s;
  }
  // ties (identical images) keep the query first, then dataset order
  const order = Array.from(similarity.keys()).sort(
    (a, b) => similarity[b] - similarity[a] || (b === query ? 1 : 0) - (a === query ? 1 : 0) || a - b,
  );
  return order.slice(0, Math.min(k, n)).map((row) => ({ row, similarity: similarity[row] }));
}

/** The held-out rows' first two principal components, each axis's sign chosen to agree with the
 *  previous map on the images both have (so a replay moves points instead of mirroring the map). */
export function embeddingMap(
  embedded: Embedded,
  rows: number[],
  labels: Int32Array,
  step: number,
  previous: EmbeddingMap | null,
): EmbeddingMap {
  const { dim } = embedded;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, k) => data.set(embedded.features.subarray(r * dim, (r + 1) * dim), k * dim));
  const points = rows.length >= 2 ? pcaProject(data, rows.length, dim, 2) : new Float32Array(rows.length * 2);
  const indices = Int32Array.from(rows, (r) => embedded.indices[r]);
  if (previous) {
    const before = new Map<number, number>();
    previous.indices.forEach((index, k) => before.set(index, k));
    for (let axis = 0; axis < 2; axis++) {
      let agreement = 0;
      indices.forEach((index, k) => {
        const j = before.get(index);
        if (j !== undefined) agreement += points[k * 2 + axis] * previous.points[j * 2 + axis];
      });
      if (agreement < 0) for (let k = 0; k < rows.length; k++) points[k * 2 + axis] *= -1;
    }
  }
  return { step, indices, labels, points };
}
