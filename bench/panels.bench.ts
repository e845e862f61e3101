// Does drawing the live panels cost the page or the training? Trains the `tiny` preset and, in
// alternating windows with the panels shown and hidden, measures the page's frames per second,
// main-thread long tasks (> 50 ms) per minute, and the worker's mean step time.
// Evaluations run every BENCH_EVAL_EVERY steps (20), so the embedding map and the neighbours
// redraw inside the windows too.
// Run: npm run bench:panels   (BENCH_WINDOW_S, BENCH_ROUNDS, BENCH_BACKENDS=webgpu,wasm, BENCH_EVAL_EVERY to change)
import { writeFileSync } from 'node:fs';
import { test, type Page } from '@playwright/test';
import { openApp, read, waitForStatus } from '../e2e/app';

const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'webgpu,wasm').split(',');
const EVAL_EVERY = Number(process.env.BENCH_EVAL_EVERY ?? 20);
const MIN_STEPS = Number(process.env.BENCH_MIN_STEPS ?? 3); // a window lasts until this many whole steps land in it

interface Measured {
  panels: boolean;
  fps: number;
  longTasksPerMin: number;
  longTaskMs: number;
  steps: number;
  meanStepMs: number;
}

async function measureWindow(page: Page, panels: boolean): Promise<Measured> {
  await page.getByTestId('panels-toggle').setChecked(panels);
  const stepsBefore = (await read(page, 'steps')).length;
  const probe = await page.evaluate(
    async ({ seconds, minSteps, stepsBefore }) => {
      let frames = 0;
      let longTasks = 0;
      let longTaskMs = 0;
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          longTasks++;
          longTaskMs += entry.duration;
        }
      });
      observer.observe({ type: 'longtask' });
      const start = performance.now();
      await new Promise<void>((resolve) => {
        const tick = () => {
          frames++;
          const enoughSteps = window.__ijepa!.steps().length >= stepsBefore + minSteps + 1;
          if (performance.now() - start < seconds * 1000 || !enoughSteps) requestAnimationFrame(tick);
          else resolve();
        };
        requestAnimationFrame(tick);
      });
      observer.disconnect();
      const elapsed = (performance.now() - start) / 1000;
      return { fps: frames / elapsed, longTasksPerMin: (longTasks * 60) / elapsed, longTaskMs };
    },
    { seconds: WINDOW_S, minSteps: MIN_STEPS, stepsBefore },
  );
  const stepMs = await read(page, 'stepTimes');
  const inWindow = stepMs.slice(stepsBefore + 1); // the first step of a window may have started in the last one
  return { panels, ...probe, steps: inWindow.length, meanStepMs: inWindow.reduce((a, b) => a + b, 0) / Math.max(1, inWindow.length) };
}

for (const backend of BACKENDS) {
  test(`panels overhead on the tiny preset (${backend})`, async ({ page }) => {
    await openApp(page, `backend=${backend}&preset=tiny&recipe=reference&evalEvery=${EVAL_EVERY}&testHooks=1`);
    const info = await read(page, 'backend');
    if (info?.name !== backend) {
      await page.getByTestId('backend-select').selectOption(backend);
      await test.expect.poll(async () => (await read(page, 'backend'))?.name).toBe(backend);
    }
    const adapter = (await read(page, 'backend'))!.adapter;
    await page.getByTestId('train-button').click();
    await waitForStatus(page, (s) => s.step >= 2); // past kernel compilation
    const windows: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      windows.push(await measureWindow(page, true));
      windows.push(await measureWindow(page, false));
    }
    await page.getByTestId('train-button').click();
    const mean = (panels: boolean, key: keyof Measured) => {
      const w = windows.filter((x) => x.panels === panels);
      return w.reduce((a, x) => a + (x[key] as number), 0) / w.length;
    };
    const summary = {
      backend,
      adapter,
      windowSeconds: WINDOW_S,
      rounds: ROUNDS,
      windows,
      evaluations: (await read(page, 'qualitySteps')).length,
      visible: { fps: mean(true, 'fps'), longTasksPerMin: mean(true, 'longTasksPerMin'), meanStepMs: mean(true, 'meanStepMs') },
      hidden: { fps: mean(false, 'fps'), longTasksPerMin: mean(false, 'longTasksPerMin'), meanStepMs: mean(false, 'meanStepMs') },
    };
    const slowdown = summary.visible.meanStepMs / summary.hidden.meanStepMs - 1;
    console.log(`\n[panels bench] ${backend} (${adapter}), tiny preset, ${ROUNDS} x ${WINDOW_S} s windows each way`);
    console.log(
      `  panels visible: ${summary.visible.fps.toFixed(1)} fps, ${summary.visible.longTasksPerMin.toFixed(1)} long tasks/min, ${summary.visible.meanStepMs.toFixed(0)} ms/step`,
    );
    console.log(
      `  panels hidden:  ${summary.hidden.fps.toFixed(1)} fps, ${summary.hidden.longTasksPerMin.toFixed(1)} long tasks/min, ${summary.hidden.meanStepMs.toFixed(0)} ms/step`,
    );
    console.log(`  training slowdown with panels visible: ${(100 * slowdown).toFixed(1)}%; ${summary.evaluations} evaluations drawn`);
    writeFileSync(
      `bench/results/panels-${backend}.json`,
      JSON.stringify({ ...summary, slowdown, date: new Date().toISOString() }, null, 2),
    );
  });
}
