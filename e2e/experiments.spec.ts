// The experiment queue (src/store/experimentQueue.ts): the paper's ablations in one click, five runs
// one after another on the same images and seed, each evaluated at its last step; paused, reloaded
// and resumed from the autosave on the way; the table and the comparison of its runs at the end.
import { expect, test } from '@playwright/test';
import { PAPER_ABLATIONS } from '../src/store/experiments';
import { openApp, read, snap, UI_RUN, waitForPage } from './app';

const STEPS = 4;
const RUN = `${UI_RUN}&totalSteps=${STEPS}&warmupSteps=1`;

test("the paper's ablations train five runs one after another, survive a reload, and end in the paper's table", async ({
  page,
}, testInfo) => {
  await openApp(page, RUN);
  await page.getByTestId('queue-ablations').click();
  const rows = page.getByTestId('experiment-row');
  await expect(rows).toHaveCount(PAPER_ABLATIONS.length);
  await expect(rows.first()).toContainText('54.2% · 66.9%');

  // paused at once (wherever the pause lands: a variant that starts meanwhile waits), the pause
  // autosaved, and the page reloaded: the experiment goes on from where it was
  await page.getByTestId('experiment-progress').getByRole('button', { name: 'Pause' }).click();
  const still = async () =>
    !(await read(page, 'experimentBusy')) && !['training', 'compiling', 'pausing'].includes((await read(page, 'status')).phase);
  await waitForPage(page, still, 'the pause');
  await page.waitForTimeout(1000); // the autosave of the pause
  const before = { index: (await read(page, 'experiment'))!.index, step: (await read(page, 'status')).step };
  await openApp(page, RUN);
  await waitForPage(page, async () => (await read(page, 'status')).step === before.step, 'the variant restored');
  expect((await read(page, 'experiment'))!.index).toBe(before.index);
  const variant = PAPER_ABLATIONS[before.index];
  await expect(page.getByTestId('mask-strategy-select')).toHaveValue(variant.overrides.maskStrategy!);
  await expect(page.getByTestId('experiment-progress')).toContainText(
    `Run ${before.index + 1} of 5 (${variant.label}): step ${before.step} / ${STEPS}, paused`,
  );
  expect((await read(page, 'status')).phase).not.toBe('training');
  await page.getByTestId('experiment-resume').click();

  await waitForPage(page, async () => (await read(page, 'experiment'))!.state === 'done', 'the experiment to end');
  await expect(page.getByTestId('experiment-progress')).toContainText('Done: 5 runs trained.');
  for (const [i, variant] of PAPER_ABLATIONS.entries()) {
    await expect(rows.nth(i)).toContainText(variant.label);
    await expect(rows.nth(i)).toContainText(`${STEPS} / ${STEPS}`);
    await expect(rows.nth(i)).toContainText(/[+−]\d+\.\d \(\d+\.\d%\).*[+−]\d+\.\d \(\d+\.\d%\)\s*trained/);
  }
  // five kept runs, named after their variants, one change each from the same settings and seed,
  // each evaluated at its last step
  const kept = (await read(page, 'keptRunSettings')).filter((r) => r.name.startsWith("The paper's masking and target ablations: "));
  expect(kept.map((r) => r.name.split(': ')[1]).reverse()).toEqual(PAPER_ABLATIONS.map((v) => v.label));
  expect(kept.map((r) => [r.config.maskStrategy, r.config.predictionTarget]).reverse()).toEqual(
    PAPER_ABLATIONS.map((v) => [v.overrides.maskStrategy, v.overrides.predictionTarget]),
  );
  expect(new Set(kept.map((r) => JSON.stringify({ ...r.config, maskStrategy: 0, predictionTarget: 0 }))).size).toBe(1);
  for (const run of kept) expect(run.evaluatedSteps.at(-1)).toBe(STEPS);
  // the comparison of its runs: one loss curve each
  const lossChart = page.getByTestId('experiments-panel').getByTestId('compare-loss').locator('canvas');
  for (const variant of PAPER_ABLATIONS) await expect(lossChart).toHaveAttribute('aria-label', new RegExp(`${variant.label} [\\d.]+`));
  await snap(page.getByTestId('experiments-panel'), testInfo, 'panel-experiments');
});
