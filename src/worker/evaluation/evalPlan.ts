// Which images an evaluation embeds, in which order: labelled training images (to fit the kNN and
// the probe) and held-out images (to test them), interleaved so that EVERY PREFIX keeps the mix of
// classes and the held-out share. A slow backend evaluates a prefix (a capped, fixed subset: the same
// images at every evaluation of the run); a fast one the whole list.
import type { ImageStore } from '../../data/imageStore';
import type { Split } from '../../data/split';

export const MAX_PROBE_TRAIN = 2000; // training-split images whose features train the probes
export const MAX_HELD_OUT = 1000;
export const PATCH_VIEW_IMAGES = 4;

export interface EvalPlan {
  indices: number[]; // dataset indices, in embedding order
  heldOut: boolean[]; // per position: a held-out (test) image
  labelled: boolean; // at least two classes and both kinds of image: the probes can run
  numClasses: number;
  patchViewImages: number; // the first this many are held-out images, one per class first (the patch view)
}

/** Every k-th element, so at most `max` are kept (deterministic). */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]);
}

/** Round robin over classes, so that any prefix covers every class. */
function byClassRoundRobin(indices: number[], label: (i: number) => number): number[] {
  const queues = new Map<number, number[]>();
  for (const i of indices) {
    const queue = queues.get(label(i));
    if (queue) queue.push(i);
    else queues.set(label(i), [i]);
  }
  const lists = [...queues.values()];
  const out: number[] = [];
  for (let round = 0; out.length < indices.length; round++) for (const list of lists) if (round < list.length) out.push(list[round]);
  return out;
}

/** Merges a and b so that every prefix holds them in the proportion of their lengths. */
function proportional(a: number[], b: number[]): { indices: number[]; fromA: boolean[] } {
  const total = a.length + b.length;
  const indices: number[] = [];
  const fromA: boolean[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; k < total; k++) {
    const takeA = j >= b.length || (i < a.length && i * total <= k * a.length);
    indices.push(takeA ? a[i++] : b[j++]);
    fromA.push(takeA);
  }
  return { indices, fromA };
}

export function evaluationPlan(store: ImageStore, split: Split): EvalPlan {
  const label = (i: number) => store.label(i);
  const numClasses = store.classNames.length;
  const heldOut = byClassRoundRobin(
    spread(
      split.heldOut.filter((i) => label(i) >= 0),
      MAX_HELD_OUT,
    ),
    label,
  );
  const probeTrain = byClassRoundRobin(
    spread(
      split.train.filter((i) => label(i) >= 0),
      MAX_PROBE_TRAIN,
    ),
    label,
  );
  const labelled = numClasses >= 2 && heldOut.length > 0 && probeTrain.length > 0;
  if (!labelled) {
    const indices = spread(split.train, MAX_PROBE_TRAIN);
    return {
      indices,
      heldOut: indices.map(() => false),
      labelled,
      numClasses,
      patchViewImages: Math.min(PATCH_VIEW_IMAGES, indices.length),
    };
  }
  // the patch view's images lead: the first held-out images are already one per class
  const shown = Math.min(PATCH_VIEW_IMAGES, heldOut.length);
  const rest = proportional(heldOut.slice(shown), probeTrain);
  return {
    indices: [...heldOut.slice(0, shown), ...rest.indices],
    heldOut: [...heldOut.slice(0, shown).map(() => true), ...rest.fromA],
    labelled,
    numClasses,
    patchViewImages: shown,
  };
}

/** The plan cut to its first `count` images. */
export function planPrefix(plan: EvalPlan, count: number): EvalPlan {
  return { ...plan, indices: plan.indices.slice(0, count), heldOut: plan.heldOut.slice(0, count) };
}
