// What the "what did it learn" views cost, on WASM and on WebGPU (here: the software adapter), in
// the production build: the step with and without the predictor's view (its blocks ride on the
// loss's readback), the view's projection in the worker, the embedding map per evaluation (a PCA of
// the held-out features), a nearest-neighbours query (both encoders), and for scale the evaluation.
// Figures only, never a pass or fail on a time. Writes bench/results/views.json and .md.
// Run: npm run bench:views
import { writeFileSync } from 'node:fs';
import { test, type Page } from '@playwright/test';
import { openApp, read, trainThenPause, waitForEvaluations, waitForPage } from '../e2e/app';

const RUNS = [
  { backend: 'wasm', data: 'patterns' },
  { backend: 'wasm', data: 'digits' },
  { backend: 'webgpu', data: 'patterns' },
] as const;
const STEPS = 12;

const fixed = (v: number | null, digits = 1) => (v === null ? '–' : v.toFixed(digits));

/** Median ms per step after the first (which compiles), in a fresh page. */
async function stepMs(page: Page, query: string): Promise<number> {
  await openApp(page, query);
  await trainThenPause(page, STEPS);
  const steps = (await read(page, 'stepTimes')).slice(1).sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)];
}

test('what the views cost', async ({ page }) => {
  const rows = [];
  for (const { backend, data } of RUNS) {
    const query = `backend=${backend}&preset=micro&recipe=reference&data=${data}&evalEvery=0&testHooks=1`;
    const withoutView = await stepMs(page, `${query}&predictorView=0`);
    const withView = await stepMs(page, query);
    const perStep = await read(page, 'viewCosts');
    const evaluating = await page.evaluate(() => performance.now());
    await page.getByTestId('evaluate-now').click();
    await waitForEvaluations(page, 1);
    const evaluationMs = (await page.evaluate(() => performance.now())) - evaluating;
    const strip = page.getByTestId('query-strip').locator('button');
    await strip.nth(2).click();
    const query2 = Number(await strip.nth(2).getAttribute('data-index'));
    await waitForPage(page, async () => (await read(page, 'neighbours'))?.query === query2, 'the neighbours');
    await waitForPage(page, async () => (await read(page, 'embeddingMap'))?.step !== undefined, 'the map');
    const costs = await read(page, 'viewCosts');
    const map = (await read(page, 'embeddingMap'))!;
    const adapter = (await read(page, 'backend'))!.adapter;
    rows.push({
      backend,
      adapter,
      data,
      withoutView,
      withView,
      ...perStep,
      mapMs: costs.mapMs,
      neighboursMs: costs.neighboursMs,
      mapPoints: map.indices.length,
      evaluationMs,
    });
  }
  const table = [
    '| backend (adapter) | data | step ms without / with the predictor view (median) | its projection ms (median) | evaluation s (baseline + step 0) | map PCA ms (points) | neighbours ms |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.backend} (${r.adapter}) | ${r.data} | ${fixed(r.withoutView)} / ${fixed(r.withView)} | ${fixed(r.predictionComputeMs, 2)} | ${fixed(r.evaluationMs / 1000)} | ${fixed(r.mapMs)} (${r.mapPoints}) | ${fixed(r.neighboursMs)} |`,
    ),
  ].join('\n');
  console.log(table);
  writeFileSync('bench/results/views.json', JSON.stringify(rows, null, 1) + '\n');
  writeFileSync(
    'bench/results/views.md',
    `# What the views cost (npm run bench:views, micro, ${new Date().toISOString().slice(0, 10)})\n\n${table}\n`,
  );
});
