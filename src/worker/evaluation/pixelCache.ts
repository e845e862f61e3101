// The raw pixels' kNN and probe, remembered across page loads. They depend only on the images, their
// labels, which of them are held out and the training resolution, and on WASM they take ~40 s for a
// few thousand images: a reload (or another run on the same images) should not pay that again. The
// key is a hash of exactly what the computation reads, so different images never share a figure.
import type { ImageStore } from '../../data/imageStore';
import type { EvalPlan } from './evalPlan';
import { pixelJob, type Limit } from './evaluationJob';
import type { PixelBaseline } from '../protocol';

/** Where the figures are kept (IndexedDB in the page: ../run/persistence.ts). */
export interface PixelBaselineCache {
  getPixelBaseline(key: string): Promise<PixelBaseline | null>;
  putPixelBaseline(key: string, value: PixelBaseline): Promise<void>;
}

/** Bump when what pixelJob computes changes, so that older figures are not read as new ones. */
const PIXEL_BASELINE_VERSION = 1;

/** FNV-1a (32 bits) over bytes, continuing from `hash`. */
function fnv1a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** What identifies a pixel baseline: the images of the plan in order (pixels, labels, held out or
 *  not) and the resolution they are evaluated at. Two hashes with different seeds make a collision
 *  between two folders of images as unlikely as it needs to be. */
export function pixelBaselineKey(store: ImageStore, plan: EvalPlan, cropSize: number): string {
  const meta = new TextEncoder().encode(
    JSON.stringify([
      PIXEL_BASELINE_VERSION,
      cropSize,
      store.side,
      plan.numClasses,
      plan.indices.map((i, k) => [store.label(i), plan.heldOut[k]]),
    ]),
  );
  let [a, b] = [fnv1a(meta), fnv1a(meta, 0x12345678)];
  for (let n = 0; n < plan.indices.length; n += 256) {
    const pixels = store.gather(plan.indices.slice(n, n + 256));
    [a, b] = [fnv1a(pixels, a), fnv1a(pixels, b)];
  }
  return `pixels:${plan.indices.length}:${a.toString(16)}${b.toString(16)}`;
}

/** pixelJob, answered from the cache when it has these images' figures (and kept there when it
 *  computed them). A cache that fails only costs the computation. */
export async function* cachedPixelJob(
  cache: PixelBaselineCache,
  store: ImageStore,
  plan: EvalPlan,
  limit: Limit,
  cropSize: number,
): AsyncGenerator<number, PixelBaseline | null> {
  if (limit.images < plan.indices.length) return null; // as pixelJob: no yardstick on a slow backend
  const key = pixelBaselineKey(store, plan, cropSize);
  const kept = await cache.getPixelBaseline(key).catch(() => null);
  if (kept) return kept;
  const computed = yield* pixelJob(store, plan, limit, cropSize);
  if (computed) await cache.putPixelBaseline(key, computed).catch(() => undefined);
  return computed;
}
