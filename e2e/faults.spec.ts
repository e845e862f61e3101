// Faults a person can hit: a lost GPU device (restart), and running on another backend.
import { expect, test } from '@playwright/test';
import { openApp, read, waitForStatus, snap } from './app';

test('a lost GPU device is reported, and Restart brings back a working trainer', async ({ page }, testInfo) => {
  await openApp(page);
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === 1 && s.phase === 'paused');
  await page.evaluate(() => window.__ijepa!.loseDevice!());
  await waitForStatus(page, (s) => s.phase === 'error');
  await expect(page.getByTestId('run-message')).toContainText('GPU device was lost');
  await snap(page, testInfo, 'device-lost');
  await page.getByTestId('restart-button').click();
  await waitForStatus(page, (s) => s.phase === 'idle' && s.step === 0);
  expect((await read(page, 'backend'))?.name).toBe('webgpu');
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === 1 && s.phase === 'paused');
});

test('offers the other backends and trains on the CPU one', async ({ page }) => {
  await openApp(page);
  const options = await page.getByTestId('backend-select').locator('option').allTextContents();
  expect(options).toEqual(expect.arrayContaining(['webgpu', 'cpu']));
  await page.getByTestId('backend-select').selectOption('cpu');
  await expect.poll(async () => (await read(page, 'backend'))?.name).toBe('cpu');
  await expect(page.getByTestId('adapter')).toHaveText('CPU');
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.step >= 3);
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.phase === 'paused');
});
