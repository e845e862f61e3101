// Data in: the built-in sample set on first open, and a real folder with broken files in it.
import { expect, test } from '@playwright/test';
import { FIXTURE_EXPECTED, makeFixtureFolder } from './fixtures/folder';
import { openApp, read, snap, waitForDatasetCount } from './app';

test('opens on the built-in sample set, on the WebGPU backend', async ({ page }, testInfo) => {
  await openApp(page);
  await expect(page.getByTestId('dataset-count')).toContainText('1800 images (built-in patterns)');
  await expect(page.getByTestId('class-table').locator('tr')).toHaveCount(6);
  await expect(page.getByTestId('thumbnails').locator('canvas')).toHaveCount(24);
  const backend = await read(page, 'backend');
  expect(backend?.name).toBe('webgpu');
  await expect(page.getByTestId('backend-select')).toHaveValue('webgpu');
  await expect(page.getByTestId('adapter')).not.toBeEmpty();
  if (backend?.isSoftware) await expect(page.getByTestId('backend-note')).toContainText('software fallback');
  await snap(page, testInfo, 'page-on-open');
});

test('imports a folder: nested classes, a corrupt image, a text file, a huge image', async ({ page }, testInfo) => {
  const folder = makeFixtureFolder(testInfo.outputPath('fixture'));
  await openApp(page);
  await page.getByTestId('folder-input').setInputFiles(folder);
  await waitForDatasetCount(page, FIXTURE_EXPECTED.images);
  await expect(page.getByTestId('dataset-count')).toContainText(`${FIXTURE_EXPECTED.images} images`);
  const dataset = await read(page, 'dataset');
  expect(dataset?.source).toBe('files');
  expect(dataset?.classes).toEqual(FIXTURE_EXPECTED.classes);
  expect(dataset?.side).toBe(32);
  expect(dataset?.bytes).toBe(FIXTURE_EXPECTED.images * 32 * 32 * 3); // the 8000x6000 image is stored at 32x32
  const skipped = page.getByTestId('skipped');
  await expect(skipped).toContainText('2 files skipped');
  for (const item of FIXTURE_EXPECTED.skipped) await expect(skipped).toContainText(item);
  await expect(page.getByTestId('import-progress')).toHaveCount(0);
  await snap(page.locator('.dataset-panel'), testInfo, 'dataset-after-import');

  // adding another folder appends
  await page.getByTestId('folder-input').setInputFiles(folder);
  await waitForDatasetCount(page, 2 * FIXTURE_EXPECTED.images);
});
