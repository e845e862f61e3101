// The real sets the learning study never tuned on (written by ./heldOutSets.mjs: `npm run bench:data`),
// as the benchmarks in Node load them.
import { existsSync, readFileSync } from 'node:fs';
import { greyToRgb } from '../src/data/digits';
import { ImageStore } from '../src/data/imageStore';
import { heldOutSplit } from '../src/data/split';

export const HELD_OUT_SETS = ['cifar10', 'fashion']; // ./heldOutSets.mjs

/** A set written by ./heldOutSets.mjs, resampled to `side` as the bundled digits are (bilinear), labelled by class name. */
export function heldOutSet(name: string, side: number) {
  type Index = { side: number; classes: string[]; labels: number[] };
  if (!existsSync(`bench/data/${name}.bin`)) throw new Error(`bench/data/${name}.bin is missing: run npm run bench:data first`);
  const { side: from, classes, labels } = JSON.parse(readFileSync(`bench/data/${name}.json`, 'utf8')) as Index;
  const pixels = readFileSync(`bench/data/${name}.bin`);
  const store = new ImageStore(side, 1024);
  labels.forEach((label, i) => {
    const image = pixels.subarray(i * from * from * 3, (i + 1) * from * from * 3);
    const rgb = new Uint8Array(side * side * 3);
    for (let c = 0; c < 3; c++) {
      const channel = Uint8Array.from({ length: from * from }, (_, p) => image[3 * p + c]);
      const resampled = from === side ? null : greyToRgb(channel, from, side);
      for (let p = 0; p < side * side; p++) rgb[3 * p + c] = resampled ? resampled[3 * p] : channel[p];
    }
    store.add(rgb, classes[label]);
  });
  const codes = Int32Array.from({ length: store.count }, (_, i) => store.label(i));
  return { store, split: heldOutSplit(codes) };
}
