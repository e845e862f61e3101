// Page helpers for the end-to-end tests: open the app, read the test hook, keep screenshots.
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import type { IjepaTestHook } from '../src/ui/testHook';

/** micro preset, small batch, no automatic evaluation: the software WebGPU adapter is slow. */
export const FAST_RUN = 'preset=micro&batchSize=4&evalEvery=0&testHooks=1';

export async function openApp(page: Page, query = FAST_RUN): Promise<void> {
  page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
  await page.goto(`/?${query}`);
  await page.waitForFunction(() => Boolean(window.__ijepa?.backend()) && Boolean(window.__ijepa?.dataset()), null, { timeout: 90_000 });
}

type HookData = { [K in keyof IjepaTestHook]: IjepaTestHook[K] extends ((...args: never[]) => infer R) | undefined ? Awaited<R> : never };

export function read<K extends Exclude<keyof IjepaTestHook, 'forceNaN' | 'loseDevice' | 'fusedKernelErrors'>>(page: Page, key: K): Promise<HookData[K]> {
  return page.evaluate((k) => (window.__ijepa![k] as () => unknown)(), key) as Promise<HookData[K]>;
}

type Status = ReturnType<IjepaTestHook['status']>;

/** Waits until the run status satisfies `predicate` (polled from the test: the page's CSP forbids
 *  evaluating strings). */
export async function waitForStatus(page: Page, predicate: (s: Status) => boolean, timeout = 180_000): Promise<Status> {
  let last: Status | null = null;
  await expect.poll(async () => {
    last = await read(page, 'status');
    return predicate(last);
  }, { timeout, intervals: [250] }).toBe(true);
  return last!;
}

/** Train until at least `steps` steps are done, then pause; returns the paused status. */
export async function trainThenPause(page: Page, steps: number): Promise<Status> {
  await page.getByTestId('train-button').click();
  await waitForStatus(page, (s) => s.step >= steps);
  await page.getByTestId('train-button').click();
  return waitForStatus(page, (s) => s.phase === 'paused');
}

export async function snap(target: Page | Locator, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await target.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

export async function expectNumberText(locator: Locator, predicate: (n: number) => boolean): Promise<void> {
  await expect.poll(async () => predicate(Number((await locator.textContent())?.split('/')[0].trim()))).toBe(true);
}
