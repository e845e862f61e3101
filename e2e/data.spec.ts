// Data in: the bundled MNIST digits on first open, the built-in patterns, and a real folder with
// broken files in it.
import { expect, test } from '@playwright/test';
import { FIXTURE_EXPECTED, makeFixtureFolder } from './fixtures/folder';
import { FAST_RUN, openApp, read, snap, waitForDatasetCount } from './app';

test('opens on the MNIST digits, on the WebGPU backend; the patterns are one click away', async ({ page }, testInfo) => {
  await openApp(page, FAST_RUN.replace('&data=patterns', '')); // the link names no set: the page's own choice
  // the digits: real images from the app's own origin, their licence on the page
  await expect(page.getByTestId('dataset-count')).toContainText('3000 images (MNIST digits, built in)');
  await expect(page.getByTestId('class-table').locator('tr')).toHaveCount(10);
  await expect(page.getByTestId('dataset-licence')).toContainText('CC BY-SA 3.0');
  const backend = await read(page, 'backend');
  expect(backend?.name).toBe('webgpu');
  await expect(page.getByTestId('backend-select')).toHaveValue('webgpu');
  await expect(page.getByTestId('adapter')).not.toBeEmpty();
  if (backend?.isSoftware) await expect(page.getByTestId('backend-note')).toContainText('software fallback');
  await snap(page, testInfo, 'page-on-open');
  await snap(page.locator('.dataset-panel'), testInfo, 'dataset-digits');

  // the patterns, drawn in the page, and in the link
  await page.getByRole('button', { name: 'Patterns' }).click();
  await expect(page.getByTestId('dataset-count')).toContainText('1800 images (built-in patterns)');
  await expect(page.getByTestId('class-table').locator('tr')).toHaveCount(6);
  await expect(page.getByTestId('thumbnails').locator('canvas')).toHaveCount(24);
  expect(new URL(page.url()).searchParams.get('data')).toBe('patterns');
  await page.getByRole('button', { name: 'MNIST digits' }).click();
  await expect(page.getByTestId('dataset-count')).toContainText('3000 images (MNIST digits, built in)');
  expect(new URL(page.url()).searchParams.get('data')).toBe('digits');
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
