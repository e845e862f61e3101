// A chart in words, for screen readers (the canvas's text alternative): each series' latest value
// and where it is, e.g. "Loss, at step 120: raw 0.0123, smoothed 0.0150".

export interface ChartSeries {
  label: string;
  values: ArrayLike<number | null | undefined>;
}

const number = (v: number) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(3)).toString());

/** The last point of every series with one, grouped by where it is on the x axis. */
export function chartText(
  title: string,
  xLabel: string,
  xs: ArrayLike<number>,
  series: ChartSeries[],
  format: (value: number) => string = number,
): string {
  const groups = new Map<number, string[]>();
  for (const { label, values } of series) {
    for (let i = Math.min(xs.length, values.length) - 1; i >= 0; i--) {
      const value = values[i];
      if (value === null || value === undefined || !Number.isFinite(value)) continue;
      let at = groups.get(xs[i]);
      if (!at) groups.set(xs[i], (at = []));
      at.push(`${label} ${format(value)}`);
      break;
    }
  }
  if (groups.size === 0) return `${title}: no data yet.`;
  const parts = [...groups].sort(([a], [b]) => b - a).map(([x, values]) => `at ${xLabel} ${number(x)}: ${values.join(', ')}`);
  return `${title}, ${parts.join('; ')}.`;
}
