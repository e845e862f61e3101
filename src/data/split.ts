// The held-out split for evaluation: within every class, every fifth image (by the order it was
// added) is held out and never trained on. Exactly stratified, and stable when images are appended.
// Unlabelled images are all for training.

export const HOLD_OUT_EVERY = 5;

export interface Split {
  train: number[];
  heldOut: number[];
}

export function heldOutSplit(labels: ArrayLike<number>, every = HOLD_OUT_EVERY): Split {
  const seen = new Map<number, number>();
  const split: Split = { train: [], heldOut: [] };
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label < 0) {
      split.train.push(i);
      continue;
    }
    const rank = seen.get(label) ?? 0;
    seen.set(label, rank + 1);
    (rank % every === every - 1 ? split.heldOut : split.train).push(i);
  }
  return split;
}
