// Every run kept (src/store/keptRuns.ts): listed after a reload, compared, the resumed run continuing
// its own entry, a kept run resumed from its checkpoint, renamed and annotated, deleted for good, exported and
// imported on a fresh profile.
import { expect, test } from '@playwright/test';
import { openApp, read, trainThenPause, UI_RUN, waitForStatus } from './app';

test('two runs with different settings are both listed after a reload and compared; a deleted run stays deleted; an exported run imports on a fresh profile', async ({
  page,
  browser,
}) => {
  await openApp(page, UI_RUN);
  const kept = page.getByTestId('kept-run');
  const names = () => page.getByLabel('Run name').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  const first = await trainThenPause(page, 2);
  await page.getByTestId('reset-button').click();
  await waitForStatus(page, (s) => s.step === 0);
  await page.getByTestId('mask-strategy-select').selectOption('random');
  const second = await trainThenPause(page, 2); // Train at once: the edit is applied before the run starts
  await expect(page.getByTestId('mask-caption')).toContainText('random masks');
  await expect(kept).toHaveCount(2);

  await openApp(page, UI_RUN); // a fresh load of the page, over the same IndexedDB
  await expect(kept).toHaveCount(2);
  expect(await names()).toEqual(['micro · reference · random masks · patterns', 'micro · reference · patterns']);
  await expect(kept.first()).toContainText(`${second.step} / `);
  // compared: one loss curve per run, and exactly the setting that differs
  await page.getByLabel('Compare micro · reference · patterns').check();
  await page.getByLabel('Compare micro · reference · random masks · patterns').check();
  const lossChart = page.getByTestId('compare-loss').locator('canvas');
  await expect(lossChart).toHaveAttribute('aria-label', /micro · reference · patterns [\d.]+/);
  await expect(lossChart).toHaveAttribute('aria-label', /micro · reference · random masks · patterns [\d.]+/);
  await expect(page.getByTestId('differing-setting')).toHaveText([/^Masks\s*random\s*multiblock$/]);
  // by training time: runs from other machines side by side
  await page.getByTestId('compare-by-time').check();
  await expect(lossChart).toHaveAttribute('aria-label', /at minutes of training/);
  // resuming the autosaved run continues its own entry
  await page.getByTestId('resume-button').click();
  await waitForStatus(page, (s) => s.step === second.step && s.phase === 'paused');
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === second.step + 1 && s.phase === 'paused');
  await expect(kept.first()).toContainText(`${second.step + 1} / `);
  await expect(kept).toHaveCount(2);
  // the first run, resumed from the list, continues from the checkpoint kept when it paused
  await page.getByRole('button', { name: 'Resume micro · reference · patterns' }).click();
  await waitForStatus(page, (s) => s.step === first.step && s.phase === 'paused');
  await expect(page.getByTestId('mask-strategy-select')).toHaveValue('multiblock');
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === first.step + 1 && s.phase === 'paused');
  await expect(kept.nth(1)).toContainText(`${first.step + 1} / `);
  await expect(kept).toHaveCount(2);

  // renamed in place; deleted for good
  await page.getByLabel('Run name').nth(1).fill('multi-block, the first run');
  await page.getByLabel('Run name').nth(1).press('Enter');
  await expect.poll(names).toEqual(['micro · reference · random masks · patterns', 'multi-block, the first run']);
  await page.getByLabel('Notes on multi-block, the first run').fill('the baseline');
  await page.getByLabel('Notes on multi-block, the first run').press('Enter');
  await page.getByRole('button', { name: 'Delete micro · reference · random masks · patterns' }).click();
  await expect(kept).toHaveCount(1);
  await openApp(page, UI_RUN);
  await expect(kept).toHaveCount(1);
  expect(await names()).toEqual(['multi-block, the first run']);
  await expect(page.getByLabel('Notes on multi-block, the first run')).toHaveValue('the baseline');

  // exported as one file, it imports on a fresh profile with the same history
  const [exported] = await read(page, 'keptRuns');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export multi-block, the first run' }).click();
  const file = await (await download).path();
  const fresh = await browser.newPage(); // a new context: its own IndexedDB
  await openApp(fresh, UI_RUN);
  await expect(fresh.getByTestId('kept-run')).toHaveCount(0);
  await fresh.getByTestId('import-run').setInputFiles(file);
  await expect(fresh.getByTestId('kept-run')).toHaveCount(1);
  expect(await read(fresh, 'keptRuns')).toEqual([exported]);
  // a file that is not a run is named, and changes nothing
  await fresh.getByTestId('import-run').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"a":1}') });
  await expect(fresh.getByTestId('runs-note')).toContainText('notes.json was not imported: it is not a run file of this page');
  await expect(fresh.getByTestId('kept-run')).toHaveCount(1);
  await fresh.close();
});
