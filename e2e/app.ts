// Page helpers for the end-to-end tests: open the app, read the test hook, keep screenshots, and wait
// on the page's own state. No wait here has a fixed length that a busy machine could outrun: a wait
// fails only when the page stops making progress for longer than its own measurements allow.
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import type { IjepaTestHook } from '../src/ui/testHook';

/** WebGPU (the path under test), micro preset, small batch, no automatic evaluation: the link names
 *  the backend and the preset, so the page skips the startup measurement. */
// the reference recipe: the released settings on micro's shapes (the browser recipe's wider predictor
// would cost the software adapter more; startup.spec.ts and settings.spec.ts check that recipe); the
// patterns (the page opens on the digits: data.spec.ts checks that); no pixel decoder beside the run
// (its own kernels to compile on the software adapter; views.spec.ts turns it on)
export const FAST_RUN = 'backend=webgpu&preset=micro&recipe=reference&data=patterns&batchSize=4&evalEvery=0&decoderView=0&testHooks=1';
/** The same run on WASM, the fastest backend without a GPU: for flows where WebGPU is not the subject
 *  (evaluations, the views, resume, privacy, accessibility); on the software adapter each would spend
 *  most of its time compiling shaders and evaluating. */
export const UI_RUN = FAST_RUN.replace('backend=webgpu', 'backend=wasm');

/** Before a step has been timed (shader compilation on a software adapter can take a minute, more
 *  on a busy machine), the page gets this long to show any progress. */
const FIRST_PROGRESS_MS = 600_000;
/** Once steps are timed, a stall longer than this many steps (and at least the floor) is a failure. */
const STALL_STEPS = 30;
const STALL_FLOOR_MS = 60_000;

export async function openApp(page: Page, query = FAST_RUN): Promise<void> {
  page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
  await page.goto(`/?${query}`);
  await waitForPage(
    page,
    async () => Boolean(await page.evaluate(() => window.__ijepa?.backend() && window.__ijepa?.dataset())),
    'the trainer to start',
  );
}

type HookData = { [K in keyof IjepaTestHook]: IjepaTestHook[K] extends ((...args: never[]) => infer R) | undefined ? Awaited<R> : never };
type Readable = Exclude<keyof IjepaTestHook, 'forceNaN' | 'loseDevice' | 'fusedKernelErrors'>;

export function read<K extends Readable>(page: Page, key: K): Promise<HookData[K]> {
  return page.evaluate((k) => (window.__ijepa![k] as () => unknown)(), key) as Promise<HookData[K]>;
}

type Status = ReturnType<IjepaTestHook['status']>;

/** What moves while the page works: steps, phase, evaluation and import progress, the startup measurement. */
async function progressMarker(page: Page): Promise<string> {
  return page
    .evaluate(() => {
      const hook = window.__ijepa;
      if (!hook) return 'loading';
      const { step, phase } = hook.status();
      return JSON.stringify([
        step,
        phase,
        hook.evaluating()?.done ?? null,
        hook.qualitySteps().length,
        hook.importProgress()?.done ?? null,
        hook.startup().trials.length,
        hook.dataset()?.count ?? null,
        hook.bench().progress,
      ]);
    })
    .catch(() => 'navigating');
}

/** How long the page may go without progress: from its measured step times once it has some. */
async function stallAllowance(page: Page): Promise<number> {
  const times = await page.evaluate(() => window.__ijepa?.stepTimes() ?? []).catch(() => [] as number[]);
  if (times.length < 2) return FIRST_PROGRESS_MS;
  const sorted = [...times.slice(1)].sort((a, b) => a - b); // the first includes compilation
  return Math.max(STALL_FLOOR_MS, STALL_STEPS * sorted[Math.floor(sorted.length / 2)]);
}

/** Polls `done` until it holds; fails when the page shows no progress for longer than it should. */
export async function waitForPage(page: Page, done: () => Promise<boolean>, what: string): Promise<void> {
  let marker = '';
  let lastChange = Date.now();
  for (;;) {
    if (await done().catch(() => false)) return;
    const now = await progressMarker(page);
    if (now !== marker) {
      marker = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > (await stallAllowance(page))) {
      throw new Error(`waited for ${what}; the page made no progress for ${Math.round((Date.now() - lastChange) / 1000)} s (at ${marker})`);
    }
    await page.waitForTimeout(250);
  }
}

/** Waits until the run status satisfies `predicate` (polled from the test: the page's CSP forbids
 *  evaluating strings). */
export async function waitForStatus(page: Page, predicate: (s: Status) => boolean): Promise<Status> {
  let last: Status | null = null;
  await waitForPage(page, async () => predicate((last = await read(page, 'status'))), 'a run status');
  return last!;
}

/** Train until at least `steps` steps are done, then pause; returns the paused status. */
export async function trainThenPause(page: Page, steps: number): Promise<Status> {
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.step >= steps);
  await page.getByTestId('train-button').click();
  return waitForStatus(page, (s) => s.phase === 'paused');
}

/** Waits until the evaluations of `steps` have reached the page (they run between training steps). */
export async function waitForEvaluations(page: Page, count: number): Promise<number[]> {
  let steps: number[] = [];
  await waitForPage(page, async () => (steps = await read(page, 'qualitySteps')).length >= count, `${count} evaluations`);
  return steps;
}

/** Waits until the dataset holds `count` images (an import decodes in the worker, with progress). */
export async function waitForDatasetCount(page: Page, count: number): Promise<void> {
  await waitForPage(page, async () => (await read(page, 'dataset'))?.count === count, `${count} images`);
}

export async function snap(target: Page | Locator, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await target.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

export async function expectNumberText(locator: Locator, predicate: (n: number) => boolean): Promise<void> {
  await expect.poll(async () => predicate(Number((await locator.textContent())?.split('/')[0].trim()))).toBe(true);
}

/** "#e69f00" -> "230,159,0", as canvasPixels reports a pixel. */
export const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)).join(',');

/** The RGB of canvas pixels (device pixels), as "r,g,b". */
export async function canvasPixels(page: Page, testId: string, points: [number, number][]): Promise<string[]> {
  return page.evaluate(
    ([id, pts]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid=${id}]`)!;
      const ctx = canvas.getContext('2d')!;
      return pts.map(([x, y]) => Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3)).join(','));
    },
    [testId, points] as const,
  );
}
