// The built-in sample dataset: procedural images drawn in plain TypeScript (no download, no DOM),
// six shape classes on random gradients, with random colour, size, position and rotation, so there
// is something to learn and to evaluate on first open.
import { createRng, type Rng } from '../ijepa/rng';

export const SAMPLE_CLASSES = ['circle', 'ring', 'square', 'diamond', 'triangle', 'cross'] as const;
export type SampleClass = (typeof SAMPLE_CLASSES)[number];

/** Is (u, v), in the shape's own unit frame, inside the shape? */
function inside(shape: SampleClass, u: number, v: number): boolean {
  const au = Math.abs(u), av = Math.abs(v);
  switch (shape) {
    case 'circle': return u * u + v * v <= 1;
    case 'ring': { const r = Math.hypot(u, v); return r <= 1 && r >= 0.55; }
    case 'square': return au <= 0.8 && av <= 0.8;
    case 'diamond': return au + av <= 1;
    case 'triangle': return v <= 0.5 && v >= -1 + Math.sqrt(3) * au;
    case 'cross': return (au <= 0.3 && av <= 1) || (av <= 0.3 && au <= 1);
  }
}

function randomColour(rng: Rng): [number, number, number] {
  return [rng.next() * 255, rng.next() * 255, rng.next() * 255];
}

/** One [side, side, 3] RGB image of `shape`. */
export function drawSample(shape: SampleClass, side: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(side * side * 3);
  const bgA = randomColour(rng), bgB = randomColour(rng);
  let fg = randomColour(rng);
  // keep the shape visible: push its colour away from the background's mean
  const bgMean = bgA.map((c, i) => (c + bgB[i]) / 2);
  if (fg.reduce((s, c, i) => s + Math.abs(c - bgMean[i]), 0) < 150) fg = bgMean.map((c) => (c > 127 ? c - 120 : c + 120)) as typeof fg;
  const radius = side * (0.18 + rng.next() * 0.14); // 36-64% of the side across
  const cx = radius + rng.next() * (side - 2 * radius);
  const cy = radius + rng.next() * (side - 2 * radius);
  const angle = rng.next() * Math.PI * 2;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const gradientAngle = rng.next() * Math.PI * 2;
  const sub = 3; // 3x3 supersampling for smooth edges
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let hits = 0;
      for (let sy = 0; sy < sub; sy++) {
        for (let sx = 0; sx < sub; sx++) {
          const dx = (x + (sx + 0.5) / sub - cx) / radius;
          const dy = (y + (sy + 0.5) / sub - cy) / radius;
          if (inside(shape, dx * cos + dy * sin, -dx * sin + dy * cos)) hits++;
        }
      }
      const coverage = hits / (sub * sub);
      const t = 0.5 + 0.5 * (((x / side) - 0.5) * Math.cos(gradientAngle) + ((y / side) - 0.5) * Math.sin(gradientAngle)) * 1.4;
      const base = (y * side + x) * 3;
      for (let c = 0; c < 3; c++) {
        const background = bgA[c] * (1 - t) + bgB[c] * t + (rng.next() - 0.5) * 16;
        out[base + c] = Math.max(0, Math.min(255, Math.round(background * (1 - coverage) + fg[c] * coverage)));
      }
    }
  }
  return out;
}

export interface SampleImage {
  rgb: Uint8Array;
  label: SampleClass;
}

/** `perClass` images of every class, interleaved by class, reproducible from `seed`. */
export function* generateSampleSet(side: number, perClass: number, seed = 0): Generator<SampleImage> {
  const rng = createRng(seed, 0x73657473);
  for (let i = 0; i < perClass; i++) {
    for (const label of SAMPLE_CLASSES) yield { rgb: drawSample(label, side, rng), label };
  }
}
