// Reading the evaluation history like a person would: is the representation learning, stalled,
// or collapsing? (docs/IJEPA_SPEC.md section 4: the loss alone can look fine while it collapses.)

export interface EvalRecord {
  step: number;
  knn: number | null; // held-out kNN accuracy (null without labels)
  probeTrain: number | null; // linear probe accuracy on its training features
  probeTest: number | null; // linear probe accuracy on the held-out features
  featureStd: number; // std of L2-normalised pooled features (small from the start: compare with random init)
  featureStdCentred?: number; // the same with their mean removed first (about 1/sqrt(D) when spread evenly); absent in older checkpoints
  rankMe: number; // effective rank of the pooled features
  rankMeCentred: number; // the same after removing their mean
}

export interface Verdict {
  level: 'ok' | 'warning' | 'collapsed';
  message: string;
}

/** Thresholds relative to a healthy std of 1/sqrt(dim), and to the best values seen so far. */
export function collapseVerdict(history: readonly EvalRecord[], baseline: EvalRecord | null, dim: number): Verdict {
  const latest = history[history.length - 1];
  if (!latest) return { level: 'ok', message: 'No evaluation yet.' };
  const healthyStd = 1 / Math.sqrt(dim);
  if (latest.featureStd < 0.15 * healthyStd && latest.rankMeCentred < 2) {
    return {
      level: 'collapsed',
      message: `The representation has collapsed: every image maps to nearly the same features (std ${latest.featureStd.toFixed(4)} vs a healthy ${healthyStd.toFixed(3)}, centred RankMe ${latest.rankMeCentred.toFixed(2)}). The loss can still look fine. Reset, or try another seed or a lower learning rate.`,
    };
  }
  const peakStd = Math.max(...history.map((r) => r.featureStd));
  const peakRank = Math.max(...history.map((r) => r.rankMeCentred));
  if (history.length >= 2 && latest.featureStd < 0.5 * peakStd && latest.rankMeCentred < 0.5 * peakRank) {
    return {
      level: 'warning',
      message: `Falling toward collapse: feature std ${latest.featureStd.toFixed(4)} (peak ${peakStd.toFixed(4)}) and centred RankMe ${latest.rankMeCentred.toFixed(1)} (peak ${peakRank.toFixed(1)}) both more than halved.`,
    };
  }
  if (baseline?.knn != null && latest.knn != null && history.length >= 3 && latest.knn < baseline.knn) {
    return {
      level: 'warning',
      message: `Not learning yet: kNN ${(100 * latest.knn).toFixed(1)}% is below the random encoder's ${(100 * baseline.knn).toFixed(1)}%.`,
    };
  }
  return { level: 'ok', message: 'No sign of collapse.' };
}
