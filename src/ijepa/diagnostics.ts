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
  loss?: number | null; // mean training loss of the steps before this evaluation (absent in older checkpoints)
  heldOut?: number; // held-out images that kNN and probe were measured on (absent in older checkpoints)
}

export interface Verdict {
  level: 'ok' | 'warning' | 'collapsed';
  message: string;
  since: number | null; // the step of the first evaluation of the trouble named (marked on the charts)
}

const healthyStdOf = (dim: number) => 1 / Math.sqrt(dim);

/** One standard error of an accuracy `p` measured on `images` held-out images: how much the figure
 *  moves with which images happen to be held out (0 when the count is unknown). */
export const accuracyNoise = (p: number, images: number | undefined) => (images ? Math.sqrt((p * (1 - p)) / images) : 0);

/** Below the random-init encoder's figure by more than that figure's noise: on 600 images a probe at
 *  70% moves by about 1.9 points, and a trained encoder 1.5 points under it has not been shown worse. */
const clearlyBelow = (value: number | null, random: number | null, images: number | undefined) =>
  value !== null && random !== null && value < random - accuracyNoise(random, images);
const centredStd = (r: EvalRecord) => r.featureStdCentred ?? r.featureStd;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The kinds of trouble, most serious first; each says whether record i (with the history before it)
 *  shows it. */
type Trouble = 'collapsed' | 'collapsing' | 'belowRandom';

function shows(trouble: Trouble, history: readonly EvalRecord[], i: number, baseline: EvalRecord | null, dim: number): boolean {
  const r = history[i];
  const before = history.slice(0, i + 1);
  switch (trouble) {
    case 'collapsed':
      return r.featureStd < 0.15 * healthyStdOf(dim) && r.rankMeCentred < 2;
    case 'collapsing': {
      // RankMe and the centred std both fell well below their best while the loss kept falling
      const peak = before.reduce((best, q) => (q.rankMeCentred > best.rankMeCentred ? q : best));
      const peakStd = Math.max(...before.map(centredStd));
      const lossFell = r.loss == null || peak.loss == null || r.loss < peak.loss;
      return i >= 2 && r.rankMeCentred < 0.7 * peak.rankMeCentred && centredStd(r) < 0.7 * peakStd && lossFell;
    }
    case 'belowRandom': {
      // kNN or probe below the random-init encoder's by more than its noise, once the run has trained
      // (not its step-0 evaluation)
      const images = r.heldOut ?? baseline?.heldOut;
      return (
        r.step > 0 &&
        baseline !== null &&
        (clearlyBelow(r.knn, baseline.knn, images) || clearlyBelow(r.probeTest, baseline.probeTest, images))
      );
    }
  }
}

/** The step from which the latest evaluations all show `trouble`. */
function streakStart(trouble: Trouble, history: readonly EvalRecord[], baseline: EvalRecord | null, dim: number): number {
  let i = history.length - 1;
  while (i > 0 && shows(trouble, history, i - 1, baseline, dim)) i--;
  return history[i].step;
}

const TRY =
  'What to try: the browser recipe (Settings: its learning rate is scaled to the batch, its predictor is as wide as the encoder, its crops are stronger), a lower peak lr, a wider predictor, or more images.';

/** Reads the evaluation history like a person would: is the representation learning, losing ground
 *  to its random init, or collapsing? In words, with the likely cause and what to try. */
export function collapseVerdict(history: readonly EvalRecord[], baseline: EvalRecord | null, dim: number): Verdict {
  const latest = history[history.length - 1];
  if (!latest) return { level: 'ok', message: 'No evaluation yet.', since: null };
  const last = history.length - 1;
  const healthyStd = healthyStdOf(dim);
  if (shows('collapsed', history, last, baseline, dim)) {
    return {
      level: 'collapsed',
      since: streakStart('collapsed', history, baseline, dim),
      message: `The representation has collapsed: every image maps to nearly the same features (std ${latest.featureStd.toFixed(4)} vs a healthy ${healthyStd.toFixed(3)}, centred RankMe ${latest.rankMeCentred.toFixed(2)}). The loss can still look fine. Likely cause: the targets became constant, so predicting them is trivial. Reset, then: ${TRY}`,
    };
  }
  if (shows('collapsing', history, last, baseline, dim)) {
    const peak = history.reduce((best, q) => (q.rankMeCentred > best.rankMeCentred ? q : best));
    const loss =
      peak.loss != null && latest.loss != null ? ` while the loss kept falling (${peak.loss.toFixed(4)} → ${latest.loss.toFixed(4)})` : '';
    return {
      level: 'warning',
      since: streakStart('collapsing', history, baseline, dim),
      message: `Collapsing: centred RankMe fell from ${peak.rankMeCentred.toFixed(1)} (step ${peak.step}) to ${latest.rankMeCentred.toFixed(1)} and the centred feature std by more than 30%${loss}. The features are losing the directions the predictor no longer needs: a low loss here means the targets became easy, not that the encoder got better. ${TRY}`,
    };
  }
  if (baseline && shows('belowRandom', history, last, baseline, dim)) {
    const since = streakStart('belowRandom', history, baseline, dim);
    const ahead = history.find((r) => r.step > 0 && r.step < since && r.knn !== null && baseline.knn !== null && r.knn > baseline.knn);
    const images = latest.heldOut ?? baseline.heldOut;
    const noise = images
      ? ` (on ${images} held-out images a figure moves by about ±${(100 * accuracyNoise(baseline.probeTest ?? baseline.knn ?? 0.5, images)).toFixed(1)} points)`
      : '';
    const figures = `kNN ${pct(latest.knn ?? 0)} vs ${pct(baseline.knn ?? 0)}, probe ${pct(latest.probeTest ?? 0)} vs ${pct(baseline.probeTest ?? 0)} for the random-init encoder${noise}`;
    const cause = ahead
      ? `It was ahead at step ${ahead.step}: the early gain is being lost. Likely cause: the representation drifts toward what is easy to predict (the position of a patch, empty background), as it does when the learning rate is high for this batch, or the predictor is too narrow to model the targets and the encoder simplifies its features to what the predictor can guess.`
      : 'Early in a run this can be noise; if it persists over several evaluations, the recipe does not suit these images.';
    return { level: 'warning', since, message: `Worse than random init since step ${since}: ${figures}. ${cause} ${TRY}` };
  }
  return { level: 'ok', message: 'No sign of collapse, and not below the random-init encoder.', since: null };
}
