import { describe, expect, it } from 'vitest';
import { metricsCsv } from './exportCsv';
import { RunHistory } from './metrics';

describe('metrics CSV', () => {
  it('has one row per completed step and the evaluations on their steps', () => {
    const history = new RunHistory();
    history.append(
      [0, 1].map((step) => ({ step, loss: 0.5 - step / 10, lr: 1e-3, wd: 0.04, momentum: 0.996, stepMs: 10, wallMs: 10 * (step + 1) })),
      [],
    );
    const record = (step: number, knn: number) => ({
      step,
      knn,
      probeTrain: 0.9,
      probeTest: 0.8,
      featureStd: 0.1,
      featureStdCentred: 0.12,
      rankMe: 3,
      rankMeCentred: 5,
    });
    const csv = metricsCsv(history, [record(0, 0.2), record(2, 0.6)], record(0, 0.3))
      .trim()
      .split('\n');
    expect(csv[0]).toBe(
      'step,loss,lr,wd,momentum,stepMs,wallMs,eval_knn,eval_probeTrain,eval_probeTest,eval_featureStd,eval_featureStdCentred,eval_rankMe,eval_rankMeCentred,random_knn,random_probeTrain,random_probeTest,random_featureStd,random_featureStdCentred,random_rankMe,random_rankMeCentred',
    );
    expect(csv[1]).toBe('0,,,,,,,0.2,0.9,0.8,0.1,0.12,3,5,0.3,0.9,0.8,0.1,0.12,3,5');
    expect(csv[2]).toBe('1,0.5,0.001,0.04,0.996,10,10,,,,,,,,,,,,,,');
    expect(csv[3]).toBe('2,0.4,0.001,0.04,0.996,10,20,0.6,0.9,0.8,0.1,0.12,3,5,0.3,0.9,0.8,0.1,0.12,3,5');
  });
});
