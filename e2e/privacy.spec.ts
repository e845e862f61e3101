// Nothing leaves the page's origin: every request of a full session stays on it, and the page's
// Content-Security-Policy forbids anything else.
import { expect, test } from '@playwright/test';
import { makeFixtureFolder } from './fixtures/folder';
import { openApp, snap, trainThenPause, UI_RUN, waitForDatasetCount } from './app';

test('makes no request outside its own origin, and its CSP forbids them', async ({ page, baseURL }, testInfo) => {
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await openApp(page, UI_RUN); // the WASM binaries too: every file a session loads
  await page.getByTestId('folder-input').setInputFiles(makeFixtureFolder(testInfo.outputPath('fixture')));
  await waitForDatasetCount(page, 7);
  await trainThenPause(page, 2);

  const origin = new URL(baseURL!).origin;
  const foreign = requests.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== origin);
  expect(requests.length).toBeGreaterThan(3);
  expect(foreign).toEqual([]);

  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  const blocked = await page.evaluate(async () => {
    try {
      await fetch('https://example.com/track');
      return false;
    } catch {
      return true;
    }
  });
  expect(blocked).toBe(true);
  await expect(page.locator('footer')).toContainText('never leave the browser');
  await snap(page.locator('footer'), testInfo, 'privacy-footer');
});
