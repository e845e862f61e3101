import { describe, expect, it } from 'vitest';
import { accuracyNoise, collapseVerdict, type EvalRecord } from './diagnostics';

const DIM = 64;
const baseline: EvalRecord = {
  step: 0,
  knn: 0.34,
  probeTrain: 0.7,
  probeTest: 0.62,
  featureStd: 0.012,
  featureStdCentred: 0.1,
  rankMe: 2,
  rankMeCentred: 8,
};

/** A history from per-evaluation figures (every 250 steps): kNN, probe, centred RankMe, centred std, loss. */
const run = (rows: [number, number, number, number, number][]): EvalRecord[] =>
  rows.map(([knn, probeTest, rankMeCentred, featureStdCentred, loss], i) => ({
    step: 250 * i,
    knn,
    probeTrain: probeTest,
    probeTest,
    featureStd: 0.012,
    featureStdCentred,
    rankMe: 2,
    rankMeCentred,
    loss: i === 0 ? null : loss,
  }));

describe('the verdict on a run', () => {
  it('names nothing on a healthy run (ahead of random init, RankMe holding while the loss falls)', () => {
    const healthy = run([
      [0.34, 0.62, 8, 0.1, 0],
      [0.42, 0.66, 7, 0.09, 0.08],
      [0.47, 0.7, 7.5, 0.1, 0.04],
      [0.51, 0.72, 8.2, 0.1, 0.05],
    ]);
    for (let i = 1; i <= healthy.length; i++)
      expect(collapseVerdict(healthy.slice(0, i), baseline, DIM)).toMatchObject({ level: 'ok', since: null });
  });

  it('names a run that falls below its random init after an early gain, from the step it fell', () => {
    const losing = run([
      [0.34, 0.62, 8, 0.1, 0],
      [0.42, 0.66, 6, 0.09, 0.05],
      [0.33, 0.6, 5.8, 0.09, 0.03],
      [0.3, 0.55, 5.5, 0.085, 0.02],
    ]);
    const verdict = collapseVerdict(losing, baseline, DIM);
    expect(verdict.level).toBe('warning');
    expect(verdict.since).toBe(500);
    expect(verdict.message).toMatch(/Worse than random init since step 500/);
    expect(verdict.message).toMatch(/ahead at step 250: the early gain is being lost/);
    expect(verdict.message).toMatch(/What to try/);
  });

  it("does not name a figure under its random init by less than that figure's noise on the held-out images", () => {
    // the page's Fashion-MNIST run: kNN 12 points ahead, the probe 1.5 under, on 600 held-out images
    const onPage = (probeTest: number, heldOut?: number) =>
      run([
        [0.42, 0.698, 5, 0.1, 0],
        [0.51, 0.727, 5, 0.1, 0.14],
        [0.54, probeTest, 4.8, 0.1, 0.15],
      ]).map((r) => ({ ...r, heldOut }));
    const random = { ...baseline, knn: 0.42, probeTest: 0.698, rankMeCentred: 5 };
    expect(accuracyNoise(0.698, 600)).toBeCloseTo(0.0187, 3);
    expect(collapseVerdict(onPage(0.683, 600), { ...random, heldOut: 600 }, DIM).level).toBe('ok');
    const clearly = collapseVerdict(onPage(0.66, 600), { ...random, heldOut: 600 }, DIM); // 3.8 points under
    expect(clearly).toMatchObject({ level: 'warning', since: 500 });
    expect(clearly.message).toMatch(/on 600 held-out images a figure moves by about ±1\.9 points/);
    // an older record without the count is judged as before: any shortfall
    expect(collapseVerdict(onPage(0.683), random, DIM).level).toBe('warning');
  });

  it('names a collapse in progress: RankMe and the centred std fall while the loss keeps falling', () => {
    const collapsing = run([
      [0.34, 0.62, 8, 0.1, 0],
      [0.45, 0.68, 9, 0.1, 0.06],
      [0.44, 0.66, 6, 0.07, 0.03],
      [0.4, 0.64, 4, 0.05, 0.01],
    ]);
    expect(collapseVerdict(collapsing.slice(0, 2), baseline, DIM).level).toBe('ok');
    const verdict = collapseVerdict(collapsing, baseline, DIM);
    expect(verdict).toMatchObject({ level: 'warning', since: 750 });
    expect(verdict.message).toMatch(/Collapsing: centred RankMe fell from 9.0 \(step 250\) to 4.0/);
    expect(verdict.message).toMatch(/loss kept falling \(0.0600 → 0.0100\)/);
    // the same fall with a RISING loss is the features spreading out again, not a collapse
    const rising = collapsing.map((r, i) => ({ ...r, loss: i === 0 ? null : 0.01 * i * i }));
    expect(collapseVerdict(rising, baseline, DIM).level).toBe('ok');
  });

  it('names a complete collapse (every image the same features)', () => {
    const collapsed = [
      ...run([[0.34, 0.62, 8, 0.1, 0]]),
      { ...baseline, step: 250, featureStd: 0.001, rankMeCentred: 1.2, knn: 0.1, probeTest: 0.1 },
    ];
    expect(collapseVerdict(collapsed, baseline, DIM)).toMatchObject({ level: 'collapsed', since: 250 });
  });

  it('says nothing before the first evaluation, and does not judge step 0', () => {
    expect(collapseVerdict([], baseline, DIM)).toMatchObject({ level: 'ok', since: null });
    expect(collapseVerdict(run([[0.3, 0.5, 8, 0.1, 0]]), baseline, DIM).level).toBe('ok');
  });
});
