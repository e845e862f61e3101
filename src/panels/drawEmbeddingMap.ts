// Geometry and drawing of the embedding map: points of one evaluation in a unit square (one scale
// for both axes, so distances keep their proportions), moved smoothly from where the previous
// evaluation had the same images, coloured by class.
import type { EmbeddingMap } from '../worker/protocol';

/** Colour-blind-safe class colours (Okabe-Ito, then Tol's), cycled past 12 classes. */
export const CLASS_COLOURS = [
  '#e69f00',
  '#56b4e9',
  '#009e73',
  '#cc79a7',
  '#0072b2',
  '#d55e00',
  '#f0e442',
  '#882255',
  '#44aa99',
  '#999933',
  '#aa4499',
  '#6699cc',
];
export const UNLABELLED_COLOUR = '#8a94a3';
export const classColour = (label: number) => (label < 0 ? UNLABELLED_COLOUR : CLASS_COLOURS[label % CLASS_COLOURS.length]);

export const POINT_RADIUS = 3;
const PAD = 8; // px between the points and the canvas edge

/** The map's points in [0, 1]^2: centred, scaled by the larger axis range. */
export function unitPositions(map: EmbeddingMap): Float32Array {
  const n = map.indices.length;
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 2; a++) {
      lo[a] = Math.min(lo[a], map.points[i * 2 + a]);
      hi[a] = Math.max(hi[a], map.points[i * 2 + a]);
    }
  }
  const range = Math.max(hi[0] - lo[0], hi[1] - lo[1]) || 1;
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 2; a++) out[i * 2 + a] = 0.5 + (map.points[i * 2 + a] - (lo[a] + hi[a]) / 2) / range;
  }
  return out;
}

/** Positions at transition time t (0-1, eased) from where each image was (`from`, by dataset index)
 *  to `to`; an image new to the map starts where it ends. */
export function between(map: EmbeddingMap, to: Float32Array, from: Map<number, [number, number]>, t: number): Float32Array {
  const ease = t < 1 ? 1 - (1 - t) ** 3 : 1;
  const out = new Float32Array(to.length);
  map.indices.forEach((index, i) => {
    const start = from.get(index) ?? [to[i * 2], to[i * 2 + 1]];
    out[i * 2] = start[0] + (to[i * 2] - start[0]) * ease;
    out[i * 2 + 1] = start[1] + (to[i * 2 + 1] - start[1]) * ease;
  });
  return out;
}

/** Unit position -> canvas CSS pixels (y up). */
export function toCanvas(x: number, y: number, size: number): [number, number] {
  return [PAD + x * (size - 2 * PAD), size - PAD - y * (size - 2 * PAD)];
}

/** The point under (px, py) within a few pixels, as a row of the map; -1 if none. */
export function pointAt(positions: Float32Array, px: number, py: number, size: number): number {
  let best = -1;
  let bestDistance = (POINT_RADIUS + 3) ** 2;
  for (let i = 0; i < positions.length / 2; i++) {
    const [x, y] = toCanvas(positions[i * 2], positions[i * 2 + 1], size);
    const d = (x - px) ** 2 + (y - py) ** 2;
    if (d <= bestDistance) [best, bestDistance] = [i, d];
  }
  return best;
}

export function drawMap(
  ctx: CanvasRenderingContext2D,
  map: EmbeddingMap,
  positions: Float32Array,
  size: number,
  selected: number | null,
): void {
  ctx.clearRect(0, 0, size, size);
  map.indices.forEach((index, i) => {
    const [x, y] = toCanvas(positions[i * 2], positions[i * 2 + 1], size);
    ctx.beginPath();
    ctx.arc(x, y, index === selected ? POINT_RADIUS + 2 : POINT_RADIUS, 0, Math.PI * 2);
    ctx.fillStyle = classColour(map.labels[i]);
    ctx.fill();
    if (index === selected) {
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
    }
  });
}
