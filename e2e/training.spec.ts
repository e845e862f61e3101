// The run a person lives through on WebGPU: train, watch numbers move, pause, step, a NaN, reset.
import { expect, test } from '@playwright/test';
import { openApp, read, snap, waitForStatus } from './app';

test('trains on WebGPU with full run control', async ({ page }, testInfo) => {
  await openApp(page);
  expect((await read(page, 'backend'))?.name).toBe('webgpu');

  // Train: the kernel-compile phase, then steps and loss advance
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('phase')).toHaveText(/Compiling kernels|Training/);
  await waitForStatus(page, (s) => s.step >= 3);
  await expect(page.getByTestId('stat-compile')).toHaveText(/\d+(\.\d)? s/);
  const losses = await read(page, 'losses');
  expect(losses.length).toBeGreaterThanOrEqual(3);
  expect(losses.every(Number.isFinite)).toBe(true);
  await expect(page.getByTestId('stat-loss')).not.toHaveText('—');
  await snap(page, testInfo, 'training');

  // Pause: the counter stops
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.phase === 'paused'); // after 'pausing' while a step in flight lands
  const pausedAt = (await read(page, 'status')).step;
  await page.waitForTimeout(4000);
  expect((await read(page, 'status')).step).toBe(pausedAt);
  await expect(page.getByTestId('train-button')).toHaveText('Resume');

  // Step: exactly one (keyboard shortcut N does the same as the button)
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === pausedAt + 1 && s.phase === 'paused');
  await page.waitForTimeout(3000);
  expect((await read(page, 'status')).step).toBe(pausedAt + 1);
  await page.keyboard.press('n');
  await waitForStatus(page, (s) => s.step === pausedAt + 2 && s.phase === 'paused');
  await expect(page.getByTestId('stat-step')).toHaveText(new RegExp(`^${pausedAt + 2} /`));

  // A NaN loss pauses the run with a message, and the last good step is kept
  await page.evaluate(() => window.__ijepa!.forceNaN!());
  await page.keyboard.press('Space'); // resume
  await waitForStatus(page, (s) => s.phase === 'paused' && s.message !== '');
  const afterNaN = await read(page, 'status');
  expect(afterNaN.step).toBe(pausedAt + 2);
  await expect(page.getByTestId('run-message')).toContainText('loss became NaN');
  await snap(page, testInfo, 'nan-paused');

  // Reset: back to step 0, settings editable again
  await page.getByTestId('reset-button').click();
  await waitForStatus(page, (s) => s.step === 0 && s.phase === 'idle');
  await expect(page.getByTestId('stat-step')).toHaveText(/^0 \//);
  await expect(page.getByTestId('setting-lr')).toBeEnabled();
  expect(await read(page, 'losses')).toEqual([]);
});
