// The `?bench` page mode end to end, on the CPU backend so it takes seconds: the bare step in fresh
// workers (fused and plain), the app's own loop, the table, and the settings restored afterwards.
import { expect, test } from '@playwright/test';
import { PRESETS } from '../src/ijepa/config';
import { openApp, read, snap, waitForPage } from './app';

test('?bench measures the step, shows the table and gives the page back as it was', async ({ page }, testInfo) => {
  await openApp(page, 'bench=1&autorun=1&testHooks=1&presets=micro&backends=cpu&steps=3&warmup=1&budget=200');
  const backendBefore = (await read(page, 'backend'))!.name;
  await waitForPage(page, async () => (await read(page, 'bench')).progress === 'Done.', 'the benchmark');
  const { report } = await read(page, 'bench');
  const [cell] = report!.cells;
  expect(cell.error).toBeNull();
  expect(cell.bare!.fused).toBe(true);
  expect(cell.plain!.fused).toBe(false);
  expect(cell.plain!.workKernelsPerStep).toBeGreaterThan(2.5 * cell.bare!.workKernelsPerStep);
  expect(cell.bare!.medianStepMs).toBeGreaterThan(0);
  expect(cell.bare!.memory[0].numTensors).toBe(cell.bare!.memory.at(-1)!.numTensors);
  expect(cell.app!.stepsPerSec).toBeGreaterThan(0);
  // the app's loop timed the bare step's model (the preset's own predictor, not the browser recipe's)
  expect(cell.app!.predictor).toEqual({ width: PRESETS.micro.predEmbedDim, depth: PRESETS.micro.predDepth });
  expect(cell.overheadRatio).toBeGreaterThan(0);
  const table = page.getByTestId('bench-panel').locator('table');
  await expect(table.locator('tbody tr')).toHaveCount(2); // fused and plain rows
  await expect(page.getByRole('button', { name: 'Download Markdown' })).toBeVisible();
  await snap(page.getByTestId('bench-panel'), testInfo, 'bench-panel');
  // the page's own run is back to step 0 on the backend it had
  const status = await read(page, 'status');
  expect(status.step).toBe(0);
  expect((await read(page, 'backend'))?.name).toBe(backendBefore);
  expect(await read(page, 'recipe')).toBe('browser');
});
