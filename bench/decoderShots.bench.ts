// The README's pictures of the pixel decoder's view (docs/screenshot-decoder-*.png): the page trains the
// default model on WASM for a few minutes on the digits, then on the patterns, and photographs what
// the predictor imagines. Run: npx playwright test -c bench/playwright.bench.config.ts decoderShots.bench.ts
//   SHOT_MINUTES=4 (training per set)  SHOT_PRESET=tiny  SHOT_SETS=digits,patterns
import { test } from '@playwright/test';
import { openApp, read } from '../e2e/app';

const minutes = Number(process.env.SHOT_MINUTES ?? 4);
const preset = process.env.SHOT_PRESET ?? 'tiny';

for (const data of (process.env.SHOT_SETS ?? 'digits,patterns').split(',')) {
  test(`the pixel decoder's view after ${minutes} minutes on the ${data}`, async ({ page }) => {
    test.setTimeout((minutes + 10) * 60_000);
    await openApp(page, `backend=wasm&preset=${preset}&data=${data}&evalEvery=0&testHooks=1`);
    await page.getByTestId('train-button').click();
    await page.waitForTimeout(minutes * 60_000); // a picture, not a test: the time is the point
    await page.getByTestId('train-button').click();
    await test.expect.poll(async () => (await read(page, 'status')).phase, { timeout: 120_000 }).toBe('paused');
    const status = await read(page, 'status');
    console.log(`${data}: ${status.step} steps in ${minutes} minutes`);
    await page.getByTestId('decoder-view').scrollIntoViewIfNeeded();
    await page.getByTestId('decoder-view').screenshot({ path: `docs/screenshot-decoder-${data}.png` });
  });
}
