// The live panels on WebGPU: masks drawn from the indices the worker really gathered, one loss
// point per step, momentum following its schedule, scrubbing back, log scale.
import { expect, test, type Page } from '@playwright/test';
import { momentumAt } from '../src/ijepa/schedules';
import { presetConfig } from '../src/ijepa/config';
import { TARGET_COLOURS } from '../src/panels/maskGeometry';
import { canvasPixels, hex, openApp, read, snap, trainThenPause } from './app';

const PALETTE = TARGET_COLOURS.slice(0, 4).map(hex);

/** For every tile and every cell: its centre pixel, and which target blocks predicted that cell. */
async function readMaskCanvas(page: Page) {
  const view = (await read(page, 'maskPanel'))!;
  const { grid, batchSize: B, targetTokens: Kt, tiles, dpr } = view;
  const cells: { b: number; cell: number; targets: number[] }[] = [];
  tiles.forEach((_, b) => {
    for (let cell = 0; cell < grid * grid; cell++) {
      const targets = [0, 1, 2, 3].filter((j) => view.targetIdx.slice((j * B + b) * Kt, (j * B + b + 1) * Kt).includes(cell));
      cells.push({ b, cell, targets });
    }
  });
  const centres = cells.map(({ b, cell }) => {
    const size = tiles[b].size / grid;
    return [(tiles[b].x + ((cell % grid) + 0.5) * size) * dpr, (tiles[b].y + (Math.floor(cell / grid) + 0.5) * size) * dpr] as [
      number,
      number,
    ];
  });
  return { view, cells, colours: await canvasPixels(page, 'mask-canvas', centres) };
}

test('panels show the real masks, every loss, the momentum schedule; scrub and log scale work', async ({ page }, testInfo) => {
  await openApp(page);
  const status = await trainThenPause(page, 6);

  // masks: the panel draws the newest step, with exactly 4 target colours on exactly the gathered cells
  const maskSteps = await read(page, 'maskSteps');
  const { view, cells, colours } = await readMaskCanvas(page);
  expect(view.step).toBe(maskSteps[maskSteps.length - 1]);
  expect(view.step).toBe(status.step - 1);
  expect(view.tiles.length).toBeGreaterThanOrEqual(4);
  cells.forEach(({ b, cell, targets }, k) => {
    if (targets.length > 0)
      expect(
        targets.map((j) => PALETTE[j]),
        `image ${b} cell ${cell}`,
      ).toContain(colours[k]);
    else expect(PALETTE, `image ${b} cell ${cell} is not a target`).not.toContain(colours[k]);
  });
  expect(new Set(colours.filter((c) => PALETTE.includes(c))).size).toBe(4);
  await expect(page.getByTestId('mask-caption')).toContainText(`Step ${view.step}: 4 target blocks`);
  await expect(page.getByTestId('mask-caption')).toContainText('on an 8×8 grid');
  // pixels as pixels: inside the clear (context) cells of the first tile, every pixel drawn is one of
  // the stored image's pixels (scaled without smoothing, which would draw blends between them)
  const stored = new Set(Array.from({ length: view.firstImage.length / 3 }, (_, i) => view.firstImage.slice(3 * i, 3 * i + 3).join(',')));
  const tile = view.tiles[0];
  const cellSize = tile.size / view.grid;
  const clearCells = view.contextIdx.slice(0, view.contextTokens);
  const inside = clearCells.flatMap((cell) =>
    [0.3, 0.5, 0.7].flatMap((fy) =>
      [0.3, 0.5, 0.7].map(
        (fx) =>
          [
            (tile.x + ((cell % view.grid) + fx) * cellSize) * view.dpr,
            (tile.y + (Math.floor(cell / view.grid) + fy) * cellSize) * view.dpr,
          ] as [number, number],
      ),
    ),
  );
  const drawn = await canvasPixels(page, 'mask-canvas', inside);
  expect(drawn.filter((c) => !stored.has(c))).toEqual([]);
  await snap(page.locator('.mask-panel'), testInfo, 'panel-masks');

  // loss: one point per step; momentum: rises monotonically, on its schedule
  const losses = await read(page, 'losses');
  expect(losses.length).toBe(status.step);
  expect((await read(page, 'lossChart')).points).toBe(status.step);
  const momentum = await read(page, 'momentum');
  const steps = await read(page, 'steps');
  const config = presetConfig('micro', { batchSize: 4 });
  momentum.forEach((m, i) => {
    expect(m).toBeCloseTo(momentumAt(config, steps[i]), 12);
    if (i > 0) expect(m).toBeGreaterThan(momentum[i - 1]);
  });
  await snap(page.locator('.chart-grid'), testInfo, 'panel-charts');
  // the applied part is a dot at the left of the whole plan; "trained steps only" zooms to it
  expect(await read(page, 'momentumChartRange')).toEqual([0, config.totalSteps]);
  await page.getByTestId('schedule-zoom').first().check();
  await expect.poll(() => read(page, 'momentumChartRange')).toEqual([0, steps[steps.length - 1]]);
  await snap(page.locator('.chart-grid'), testInfo, 'panel-charts-zoomed');
  await page.getByTestId('schedule-zoom').first().uncheck();

  // scrub back: an earlier batch's masks
  await page.getByTestId('mask-scrubber').fill('0');
  await expect.poll(async () => (await read(page, 'maskPanel'))?.step).toBe(maskSteps[0]);
  await expect(page.getByTestId('mask-follow')).not.toBeChecked();
  const earlier = await readMaskCanvas(page);
  earlier.cells.forEach(({ targets }, k) => {
    if (targets.length > 0) expect(targets.map((j) => PALETTE[j])).toContain(earlier.colours[k]);
  });
  expect(earlier.colours).not.toEqual(colours);
  await snap(page.locator('.mask-panel'), testInfo, 'panel-masks-scrubbed');
  await page.getByTestId('mask-follow').check();
  await expect.poll(async () => (await read(page, 'maskPanel'))?.step).toBe(view.step);

  // log scale changes the loss axis
  expect((await read(page, 'lossChart')).distr).toBe(1);
  await page.getByTestId('loss-log').check();
  await expect.poll(async () => (await read(page, 'lossChart')).distr).toBe(3);
  expect((await read(page, 'lossChart')).points).toBe(status.step);
  await snap(page.locator('.chart-panel').first(), testInfo, 'panel-loss-log');
});
