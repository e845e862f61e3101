// Does the page's default run learn on a folder a person drops in? What the learning study measures in
// Node (bench/learning.bench.ts), measured here as a user meets it: the production build in headless
// Chromium, the default URL in a fresh profile (the page measures the machine and picks the backend,
// preset and plan), a folder of class folders dropped in, Train pressed, the planned run trained to its
// end, then "Evaluate now" where the last evaluation was before the last step. Writes the quality
// panel's figures (kNN and probe of the trained target encoder, of its random init and of the raw
// pixels, at every evaluation) to bench/results/page-learning-NAME.json and .md. Figures only.
// Run: PAGE_LEARN_FOLDER=bench/data/fashion-folder PAGE_LEARN_NAME=fashion npm run bench:page-learning
//   (folders from `npm run bench:data`); PAGE_LEARN_QUERY='preset=tiny' adds to the URL;
//   without PAGE_LEARN_FOLDER the page trains on what it opens on (the bundled digits).
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from '@playwright/test';
import { read, waitForPage, waitForStatus } from '../e2e/app';
import { PLANNED_MINUTES } from '../src/ijepa/recipe';
import { gains, pct } from './learningTable';

const env = process.env;
const folder = env.PAGE_LEARN_FOLDER ? resolve(env.PAGE_LEARN_FOLDER) : null;
const query = env.PAGE_LEARN_QUERY ?? '';
const name = env.PAGE_LEARN_NAME ?? 'digits'; // the results' file name

test('the default run on a dropped folder, to the end of its plan', async ({ page }) => {
  test.setTimeout(60 * 60_000);
  const started = Date.now();
  await page.goto(`/?${query}`);
  await waitForPage(
    page,
    () => page.evaluate(() => !(document.querySelector('[data-testid=train-button]') as HTMLButtonElement | null)?.disabled),
    'Train to be enabled',
  );
  if (folder) {
    const before = (await read(page, 'dataset'))?.count ?? 0;
    await page.getByTestId('folder-input').setInputFiles(folder);
    await waitForPage(page, async () => (await read(page, 'dataset'))?.source === 'files', 'the folder to replace the sample set');
    await waitForPage(page, async () => !(await read(page, 'importProgress'))?.running, 'the import to finish');
    console.log(`dataset: ${(await read(page, 'dataset'))?.count} images (sample set had ${before})`);
  }
  const dataset = (await read(page, 'dataset'))!;
  await page.getByTestId('train-button').click();
  const trainedFrom = Date.now();
  const done = await waitForStatus(page, (s) => s.phase === 'done');
  const trainedMs = Date.now() - trainedFrom;
  const evaluated = await read(page, 'qualitySteps');
  if (evaluated.at(-1) !== done.step) {
    await waitForPage(page, async () => (await read(page, 'evaluating')) === null, 'the evaluation under way');
    if ((await read(page, 'qualitySteps')).at(-1) !== done.step) {
      await page.getByTestId('evaluate-now').click();
      await waitForPage(page, async () => (await read(page, 'qualitySteps')).at(-1) === done.step, 'the last step evaluated');
    }
  }
  const figures = {
    name,
    folder,
    url: `/?${query}`,
    date: new Date().toISOString(),
    backend: (await read(page, 'backend'))!,
    preset: await read(page, 'preset'),
    recipe: await read(page, 'recipe'),
    config: await read(page, 'config'),
    dataset,
    steps: done.step,
    trainedMinutes: trainedMs / 60_000,
    totalMinutes: (Date.now() - started) / 60_000,
    quality: await read(page, 'qualityFigures'),
  };
  const rows = figures.quality.map(({ record: r, baseline: b, pixels: p, verdict, subset }) =>
    [
      r.step,
      `${pct(r.knn)} (${pct(b.knn)}, ${pct(p?.knn)})`,
      `${pct(r.probeTest)} (${pct(b.probeTest)}, ${pct(p?.probeTest)})`,
      gains({ record: r, baseline: b }),
      r.loss?.toFixed(3) ?? '–',
      r.rankMeCentred.toFixed(1),
      subset ? `${subset.images} of ${subset.of}` : 'all',
      verdict.level,
    ].join(' | '),
  );
  const md = [
    `# The page's default run on ${name}`,
    '',
    `${figures.date}; URL \`${figures.url}\`; ${figures.dataset.count} images${folder ? ` dropped from ${env.PAGE_LEARN_FOLDER}` : ''};`,
    `backend ${figures.backend.name}${figures.backend.threads ? ` (${figures.backend.threads} threads)` : ''}, preset ${figures.preset}, ` +
      `recipe ${figures.recipe}, seed ${figures.config.seed}, ${figures.steps} of ${figures.config.totalSteps} planned steps ` +
      `(${(figures.config.totalSteps / (PLANNED_MINUTES * 60)).toFixed(2)} steps/s measured) in ` +
      `${figures.trainedMinutes.toFixed(1)} min of training (evaluations included), ${figures.totalMinutes.toFixed(1)} min in all.`,
    '',
    '| step | kNN % (random init, pixels) | probe % (random init, pixels) | gain over init kNN / probe | loss | RankMe centred | images embedded | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
    `Verdict at the end: ${figures.quality.at(-1)?.verdict.message ?? '–'}`,
    '',
  ].join('\n');
  console.log(md);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/page-learning-${name}.json`, JSON.stringify(figures, null, 2));
  writeFileSync(`bench/results/page-learning-${name}.md`, md);
});
