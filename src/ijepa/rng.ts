// Seeded random numbers (sfc32 seeded through splitmix32): the same seed gives the same masks,
// crops and initial weights on every machine and backend.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi) (hi exclusive, like torch.randint). */
  int(lo: number, hi: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for a (seed, stream) pair: e.g. stream = batch counter, as the reference seeds its
 *  mask generator with the batch counter. */
export function createRng(seed: number, stream = 0): Rng {
  const mix = splitmix32((Math.imul(seed >>> 0, 0x27d4eb2f) ^ Math.imul(stream >>> 0, 0x165667b1)) >>> 0);
  let a = mix(),
    b = mix(),
    c = mix(),
    d = mix();
  const nextU32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const next = () => nextU32() / 4294967296;
  let spare: number | null = null;
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const u = 1 - next(); // (0, 1]: log is finite
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Fisher-Yates: a uniformly random subset of `k` items of `items`, kept in their original order. */
export function sampleSorted(rng: Rng, items: readonly number[], k: number): number[] {
  const picked = items.slice();
  for (let i = 0; i < k; i++) {
    const j = rng.int(i, picked.length);
    [picked[i], picked[j]] = [picked[j], picked[i]];
  }
  return picked.slice(0, k).sort((x, y) => x - y);
}
