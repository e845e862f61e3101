// The built-in sample dataset: procedural images drawn in plain TypeScript (no download, no DOM).
// Six classes of pattern, each a jittered grid of small copies of one shape (circles, rings,
// squares, ...), every copy with its own colour, size and rotation, on a noisy grey ground.
//
// Why patterns and not one big shape per image: I-JEPA learns what one block of an image says about
// another. With one shape per image the class lived in the few patches on its outline, nothing else
// in the image predicted it, and random colours dominated every patch: the micro encoder stayed at
// chance on the class for 6,000 steps. A repeated motif puts the class in every block, where
// predicting one block from the others rewards encoding it (a 750-step micro run now beats the
// random encoder's kNN by 9-18 points: src/worker/run/learning.test.ts); colours vary copy to copy, so
// colour alone says nothing about the class.
import { createRng, type Rng } from '../ijepa/rng';

export const SAMPLE_CLASSES = ['circle', 'ring', 'square', 'diamond', 'triangle', 'cross'] as const;
export type SampleClass = (typeof SAMPLE_CLASSES)[number];

/** Images per class in the page's sample set (every fifth is held out for evaluation). */
export const SAMPLE_PER_CLASS = 300;

const CELLS = 4; // copies per row and column
const RADIUS = [0.3, 0.45] as const; // a copy's radius, as a fraction of its cell
const JITTER = 0.2; // a copy's offset from its cell centre, as a fraction of the cell
const SUPERSAMPLE = 3; // 3x3 samples per pixel for smooth edges

/** Is (u, v), in the shape's own unit frame, inside the shape? */
function inside(shape: SampleClass, u: number, v: number): boolean {
  const au = Math.abs(u),
    av = Math.abs(v);
  switch (shape) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'ring': {
      const r = Math.hypot(u, v);
      return r <= 1 && r >= 0.55;
    }
    case 'square':
      return au <= 0.8 && av <= 0.8;
    case 'diamond':
      return au + av <= 1;
    case 'triangle':
      return v <= 0.5 && v >= -1 + Math.sqrt(3) * au;
    case 'cross':
      return (au <= 0.3 && av <= 1) || (av <= 0.3 && au <= 1);
  }
}

/** A random colour, pushed away from the grey ground so every copy is visible. */
function visibleColour(rng: Rng): number[] {
  const colour = [rng.next() * 255, rng.next() * 255, rng.next() * 255];
  const distance = colour.reduce((sum, c) => sum + Math.abs(c - 128), 0);
  return distance >= 150 ? colour : colour.map((c) => (c > 127 ? Math.min(255, c + 100) : Math.max(0, c - 100)));
}

/** Paints one copy of `shape` (centre cx, cy; radius; rotation) into `image` [side, side, 3]. */
function paintShape(
  image: Float32Array,
  side: number,
  shape: SampleClass,
  cx: number,
  cy: number,
  radius: number,
  angle: number,
  colour: number[],
): void {
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const x0 = Math.max(0, Math.floor(cx - radius - 1)),
    x1 = Math.min(side - 1, Math.ceil(cx + radius + 1));
  const y0 = Math.max(0, Math.floor(cy - radius - 1)),
    y1 = Math.min(side - 1, Math.ceil(cy + radius + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let hits = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const dx = (x + (sx + 0.5) / SUPERSAMPLE - cx) / radius;
          const dy = (y + (sy + 0.5) / SUPERSAMPLE - cy) / radius;
          if (inside(shape, dx * cos + dy * sin, -dx * sin + dy * cos)) hits++;
        }
      }
      const coverage = hits / SUPERSAMPLE ** 2;
      for (let c = 0; c < 3; c++) {
        const i = (y * side + x) * 3 + c;
        image[i] = image[i] * (1 - coverage) + colour[c] * coverage;
      }
    }
  }
}

/** One [side, side, 3] RGB image: a pattern of `shape`. */
export function drawSample(shape: SampleClass, side: number, rng: Rng): Uint8Array {
  const image = new Float32Array(side * side * 3);
  for (let i = 0; i < image.length; i++) image[i] = 128 + (rng.next() - 0.5) * 16;
  const cell = side / CELLS;
  const [offsetX, offsetY] = [rng.next() * cell, rng.next() * cell]; // the grid's phase
  // one row and column more than fit, so copies cut by the border fill it after the offset
  for (let row = -1; row < CELLS; row++) {
    for (let column = -1; column < CELLS; column++) {
      const colour = visibleColour(rng);
      const radius = cell * (RADIUS[0] + rng.next() * (RADIUS[1] - RADIUS[0]));
      const cx = offsetX + (column + 0.5) * cell + (rng.next() - 0.5) * cell * JITTER;
      const cy = offsetY + (row + 0.5) * cell + (rng.next() - 0.5) * cell * JITTER;
      paintShape(image, side, shape, cx, cy, radius, rng.next() * Math.PI * 2, colour);
    }
  }
  return Uint8Array.from(image, (v) => Math.max(0, Math.min(255, Math.round(v))));
}

export interface SampleImage<Label extends string = SampleClass> {
  rgb: Uint8Array;
  label: Label;
}

/** `perClass` images of every class, interleaved by class, reproducible from `seed`. */
export function* generateSampleSet(side: number, perClass = SAMPLE_PER_CLASS, seed = 0): Generator<SampleImage> {
  const rng = createRng(seed, 0x73657473);
  for (let i = 0; i < perClass; i++) {
    for (const label of SAMPLE_CLASSES) yield { rgb: drawSample(label, side, rng), label };
  }
}
