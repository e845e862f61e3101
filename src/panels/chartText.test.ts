import { describe, expect, it } from 'vitest';
import { chartText } from './chartText';

describe('a chart in words', () => {
  it("says each series' latest value where it is, the newest first", () => {
    const steps = [0, 10, 20, 4000];
    const text = chartText('EMA momentum', 'step', steps, [
      { label: 'planned', values: [0.996, 0.99601, 0.99602, 1] },
      { label: 'applied', values: [0.996, 0.99601, 0.996023, null] },
    ]);
    expect(text).toBe('EMA momentum, at step 4,000: planned 1; at step 20: applied 0.996.');
  });

  it('uses the given format, skips gaps and non-finite values, and says when there is nothing', () => {
    const percent = (v: number) => `${(100 * v).toFixed(1)}%`;
    expect(
      chartText(
        'Accuracy',
        'step',
        [0, 100],
        [
          { label: 'kNN', values: [0.305, 0.452] },
          { label: 'kNN pixels', values: [null, null] },
        ],
        percent,
      ),
    ).toBe('Accuracy, at step 100: kNN 45.2%.');
    expect(chartText('Loss', 'step', [1, 2], [{ label: 'raw', values: [0.5, Number.NaN] }])).toBe('Loss, at step 1: raw 0.5.');
    expect(chartText('Loss', 'step', [], [{ label: 'raw', values: [] }])).toBe('Loss: no data yet.');
  });
});
