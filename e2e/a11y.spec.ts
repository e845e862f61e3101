// Accessibility: axe-core (WCAG 2.1 A/AA and its best practices) on the page's main states, in the
// light and the dark theme, with no serious or critical violation; every control reachable with Tab
// and the run operable from the keyboard; every canvas with a text alternative that says what it
// shows. A UI-only flow: WASM, the fastest backend here (WebGPU is the subject of the other specs).
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { makeClassFolder } from './fixtures/folder';
import { openApp, read, UI_RUN, waitForDatasetCount, waitForEvaluations, waitForStatus } from './app';

/** Serious and critical violations, as "rule: first elements" lines (empty when there are none). */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

async function bothThemes(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await seriousViolations(page)).map((v) => `${colorScheme}: ${v}`));
  }
  return found;
}

/** Every visible canvas: its role and text alternative. */
const canvases = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('canvas')]
      .filter((c) => c.getBoundingClientRect().width > 0)
      .map((c) => ({ role: c.getAttribute('role'), label: c.getAttribute('aria-label') ?? '' })),
  );

test('no serious accessibility violation when ready, empty, training and evaluated, in both themes', async ({ page }, testInfo) => {
  await openApp(page, UI_RUN);
  expect(await bothThemes(page)).toEqual([]);
  await page.getByRole('button', { name: 'Clear' }).click(); // the empty page: no images
  await waitForDatasetCount(page, 0);
  expect(await bothThemes(page)).toEqual([]);
  // a small labelled folder: its evaluation takes seconds (the states are the same as with the 1,800 patterns)
  await page.getByTestId('folder-input').setInputFiles(makeClassFolder(testInfo.outputPath('fixture')));
  await waitForDatasetCount(page, 60);

  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.step >= 3);
  expect(await bothThemes(page)).toEqual([]); // while it trains: the live panels drawing

  await page.getByTestId('evaluate-now').click();
  await waitForEvaluations(page, 1);
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.phase === 'paused');
  await expect(page.getByTestId('embedding-map-canvas')).toBeVisible();
  expect(await bothThemes(page)).toEqual([]);

  // every canvas says what it shows: the charts their latest values, step included
  const shown = await canvases(page);
  expect(shown.length).toBeGreaterThan(10);
  for (const canvas of shown) {
    expect(canvas.role).toBe('img');
    expect(canvas.label.length).toBeGreaterThan(3);
  }
  const { step } = await read(page, 'status');
  const label = (testId: string) => page.getByTestId(testId).locator('canvas').first().getAttribute('aria-label');
  // the chart plots each step at its index (0-based, as the reference's itr): the last is step - 1
  await expect.poll(() => label('loss-chart')).toMatch(new RegExp(`^Loss, at step ${step - 1}: raw \\d.*, smoothed \\d`));
  expect(await label('quality-accuracy-chart')).toMatch(
    /at step \d+: kNN \d+\.\d%, probe \d+\.\d%, kNN random \d+\.\d%, probe random \d+\.\d%/,
  );
});

test('every control is reached with Tab, and the run is driven from the keyboard', async ({ page }) => {
  await openApp(page, UI_RUN);
  // mark every visible, enabled control, then Tab through the page and tick off what gets focus
  const controls = await page.evaluate(() => {
    const all = [...document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], summary, [tabindex]')];
    const usable = all.filter((e) => e.getBoundingClientRect().width > 0 && !(e as HTMLButtonElement).disabled && e.tabIndex >= 0);
    usable.forEach((e, i) => (e.dataset.a11yControl = String(i)));
    return usable.map(
      (e) =>
        `${e.tagName.toLowerCase()} ${e.getAttribute('data-testid') ?? e.getAttribute('aria-label') ?? e.textContent?.trim().slice(0, 30)}`,
    );
  });
  expect(controls.length).toBeGreaterThan(20);
  const reached = new Set<string>();
  for (let i = 0; i < controls.length + 20; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.a11yControl ?? null);
    if (id !== null) reached.add(id);
  }
  expect(controls.filter((_, i) => !reached.has(String(i)))).toEqual([]);

  // Train from the keyboard: focus the button by Tab and press Enter; Space pauses (the page's shortcut)
  const train = page.getByTestId('train-button');
  await train.focus();
  await page.keyboard.press('Enter');
  await waitForStatus(page, (s) => s.step >= 2);
  await page.locator('body').focus();
  await page.keyboard.press('Space');
  await waitForStatus(page, (s) => s.phase === 'paused');
});
