// The slowest tests of a run, printed at its end, so that every change sees what the suite costs.

export interface TestTime {
  name: string; // file › test
  ms: number;
}

/** The `count` slowest tests as lines, with the total of every test's time. */
export function slowestTable(title: string, times: TestTime[], count = 10): string {
  const total = times.reduce((sum, t) => sum + t.ms, 0);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(8);
  const lines = [...times]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((t) => `${seconds(t.ms)}  ${t.name}`);
  return [``, `${title}: the ${lines.length} slowest of ${times.length} tests (${seconds(total).trim()} in all)`, ...lines, ``].join('\n');
}
