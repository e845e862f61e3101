// Settings: shared by link, editable before a run, read-only during it, checked as typed.
import { expect, test } from '@playwright/test';
import { openApp, read, waitForStatus } from './app';

test('settings come from the link, go back into it, and lock during a run', async ({ page }) => {
  await openApp(page, 'preset=micro&batchSize=4&lr=0.0005&evalEvery=0&testHooks=1');
  await expect(page.getByTestId('preset-select')).toHaveValue('micro');
  await expect(page.getByTestId('setting-lr')).toHaveValue('0.0005');
  // the browser recipe (the default): a predictor as wide as the encoder; the reference recipe: micro as released
  await expect(page.getByTestId('recipe-select')).toHaveValue('browser');
  await expect(page.getByTestId('setting-predEmbedDim')).toHaveValue('32');
  await page.getByTestId('recipe-select').selectOption('reference');
  await expect(page.getByTestId('setting-predEmbedDim')).toHaveValue('16');
  await expect(page.getByTestId('setting-lr')).toHaveValue('0.001');
  await expect.poll(() => new URL(page.url()).searchParams.get('recipe')).toBe('reference');
  await page.getByTestId('setting-lr').fill('0.0005');

  await page.getByTestId('setting-totalSteps').fill('500');
  await expect.poll(() => new URL(page.url()).searchParams.get('totalSteps')).toBe('500');
  await expect(page.getByTestId('stat-step')).toHaveText('0 / 500');

  await page.getByTestId('setting-cropSize').fill('30');
  await expect(page.getByTestId('config-problems')).toContainText('not divisible by the patch size');
  await expect(page.getByTestId('train-button')).toBeDisabled();
  await page.getByTestId('setting-cropSize').fill('32');
  await expect(page.getByTestId('config-problems')).toHaveCount(0);

  // the paper's masking ablation is a setting: random masks, 60% of the patches predicted from the rest
  await page.getByTestId('mask-strategy-select').selectOption('random');
  await expect.poll(() => new URL(page.url()).searchParams.get('maskStrategy')).toBe('random');
  // and the target ablation: each hidden patch's own pixels
  await page.getByTestId('prediction-target-select').selectOption('pixels');
  await expect.poll(() => new URL(page.url()).searchParams.get('predictionTarget')).toBe('pixels');

  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === 1);
  await expect(page.getByTestId('setting-lr')).toBeDisabled();
  await expect(page.getByTestId('preset-select')).toBeDisabled();
  await expect(page.getByTestId('mask-strategy-select')).toBeDisabled();
  await expect(page.getByTestId('mask-caption')).toContainText('Step 0, random masks');
  const masks = (await read(page, 'maskPanel'))!;
  expect(masks.strategy).toBe('random');
  // one target of 38 scattered patches on the 8x8 grid, the context exactly the other 26
  expect([masks.targetTokens, masks.contextTokens, masks.targetIdx.length]).toEqual([38, 26, 38 * masks.batchSize]);
  const first = new Set([...masks.targetIdx.slice(0, 38), ...masks.contextIdx.slice(0, 26)]);
  expect(first.size).toBe(64);
});
