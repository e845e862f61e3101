// Live from the first second: the page measures this machine's backends, opens on the fastest and
// on a preset that moves, trains at once while the step-0 evaluation runs beside it, and pauses
// within a step; a return visit recalls the measurement and trains at once. A link that names backend
// and preset skips the measurement.
import { expect, test } from '@playwright/test';
import { presetConfig } from '../src/ijepa/config';
import { recipeConfig } from '../src/ijepa/recipe';
import { openApp, read, snap, waitForPage, waitForStatus } from './app';

test('measures the backends, opens on the fastest and a live preset, trains at once, pauses within a step', async ({ page }, testInfo) => {
  await openApp(page, 'testHooks=1');
  // "Ready" only when Train works: the page opens once the first backend and its presets are measured,
  // and Train pressed at once trains while the other backends may still be timed beside it
  await expect(page.getByTestId('phase')).toHaveText('Ready');
  await expect(page.getByTestId('train-button')).toBeEnabled();
  expect((await read(page, 'startup')).measurement).not.toBeNull();
  await snap(page, testInfo, 'page-after-measurement');
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.step >= 3);
  await waitForPage(page, async () => !(await read(page, 'startup')).measuring, 'the measurement to end');
  const { measurement } = await read(page, 'startup');
  expect(measurement).not.toBeNull();
  const backend = (await read(page, 'backend'))!;
  expect(backend.name).toBe(measurement!.chosen);
  const webgpu = measurement!.trials.find((t) => t.name === 'webgpu');
  if (webgpu?.isSoftware) expect(measurement!.chosen).not.toBe('webgpu'); // SwiftShader: a CPU backend is faster
  const winner = measurement!.trials.find((t) => t.name === measurement!.chosen)!;
  expect(winner.stepsPerSec).toBeGreaterThan(0);
  expect(measurement!.trials.every((t) => t.name === winner.name || (t.stepsPerSec ?? 0) <= winner.stepsPerSec!)).toBe(true);
  expect(await read(page, 'preset')).toBe(measurement!.defaultPreset);
  await expect(page.getByTestId('backend-measurement')).toContainText('Measured here in');
  await expect(page.getByTestId('preset-speeds')).toContainText(`The page opened on ${measurement!.defaultPreset}`);
  // the browser recipe, planned to about 10 minutes at the speed measured for that preset (never an estimate)
  await expect(page.getByTestId('recipe-select')).toHaveValue('browser');
  const speed = measurement!.presets.find((p) => p.preset === measurement!.defaultPreset)!;
  expect(speed.measured).toBe(true);
  const planned = recipeConfig(presetConfig(speed.preset), 'browser', { stepsPerSec: speed.stepsPerSec }).totalSteps;
  await expect(page.getByTestId('stat-step')).toHaveText(new RegExp(`^\\d+ / ${planned}$`));

  // cross-origin isolated, so WASM runs tfjs' threaded binary on every core (up to 8)
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(measurement!.trials.find((t) => t.name === 'wasm')?.threads).toBe(Math.min(cores, 8));
  if (backend.name === 'wasm') expect(backend.simd).toBe(true); // our SIMD kernels started on the threaded build's shared memory

  // the first steps came without waiting for an evaluation
  await expect(page.getByTestId('stat-compile')).toHaveText(/\d+(\.\d)? s/);
  await expect(page.getByTestId('eval-badge')).toContainText('evaluating step 0'); // still embedding, the run goes on
  await snap(page, testInfo, 'training-on-the-measured-backend');
  // the page noted what a person waited for, in order, on its own clock
  const { timeline } = await read(page, 'startup');
  expect(timeline.measured).toBeGreaterThan(0);
  expect(timeline.allMeasured).toBeGreaterThanOrEqual(timeline.measured!);
  expect(timeline.ready).toBeGreaterThanOrEqual(timeline.measured!);
  expect(timeline.firstStep).toBeGreaterThan(timeline.ready!);
  console.log(
    `[startup] first visit: measured ${timeline.measured} ms (all backends ${timeline.allMeasured} ms), ready ${timeline.ready} ms, first step ${timeline.firstStep} ms after load`,
  );

  // Pause: within the step in flight (plus the page's ~10 updates a second)
  const clicked = Date.now();
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.phase === 'paused');
  const latency = Date.now() - clicked;
  const slowest = Math.max(...(await read(page, 'stepTimes')).slice(1));
  console.log(
    `[startup] ${measurement!.chosen}, ${measurement!.defaultPreset}: pause took ${latency} ms, the slowest step ${Math.round(slowest)} ms`,
  );
  expect(latency).toBeLessThan(3 * slowest + 2000);

  // a return visit: this browser remembers the measurement of this machine, and trains without measuring
  const loaded = Date.now();
  await openApp(page, 'testHooks=1');
  const again = await read(page, 'startup');
  expect(again.measurement).toMatchObject({ chosen: measurement!.chosen, defaultPreset: measurement!.defaultPreset });
  expect(again.measurement!.rememberedFrom).toBeGreaterThan(0);
  expect(again.trials).toEqual(measurement!.trials);
  await expect(page.getByTestId('backend-measurement')).toContainText('(remembered by this browser)');
  await expect(page.getByTestId('train-button')).toBeEnabled();
  console.log(`[startup] return visit: Train enabled ${Date.now() - loaded} ms after the reload began`);
  const recalled = (await read(page, 'startup')).timeline;
  expect(recalled.ready).toBeGreaterThanOrEqual(recalled.measured!);
  expect(recalled.firstStep).toBeNull(); // nothing trained yet on this load
  // it trains: on WASM the worker grew its heap to the remembered step's size on another thread first
  if (measurement!.chosen === 'wasm') expect(again.measurement!.heapBytes?.[measurement!.defaultPreset]).toBeGreaterThan(0);
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.step >= 1);
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.phase === 'paused');
  // Measure again: the machine is measured afresh (and remembered anew)
  await page.getByTestId('measure-again').click();
  await waitForPage(page, async () => (await read(page, 'startup')).measuring, 'the measurement to start again');
  await waitForPage(
    page,
    async () => {
      const { measuring, measurement: fresh } = await read(page, 'startup');
      return !measuring && fresh !== null && fresh.rememberedFrom === undefined;
    },
    'the new measurement',
  );
  await expect(page.getByTestId('backend-measurement')).toContainText('Measured here in');
});

test('a link naming the backend and the preset skips the measurement; wasmThreads=1 runs one thread', async ({ page }) => {
  await openApp(page, 'backend=wasm&preset=micro&wasmThreads=1&testHooks=1');
  expect((await read(page, 'startup')).measurement).toBeNull();
  await expect(page.getByTestId('backend-measurement')).toHaveCount(0);
  expect(await read(page, 'backend')).toMatchObject({ name: 'wasm', threads: 1, simd: true }); // our SIMD kernels on tfjs' memory
  await expect(page.getByTestId('wasm-threads')).toHaveText('WASM (1 thread)');
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === 1 && s.phase === 'paused');
});
