// What the encoder learned, on WebGPU: the predictor's view of the step on the mask panel.
import { expect, test, type Page } from '@playwright/test';
import { canvasPixels, openApp, read, snap, trainThenPause } from './app';

/** Every cell centre of every tile of the predictor's view, with the colour the step's data says it has. */
async function readPredictionCanvas(page: Page) {
  const view = (await read(page, 'predictionPanel'))!;
  const expected: string[] = [];
  const centres: [number, number][] = [];
  view.tiles.forEach((row, j) =>
    row.forEach((tile, column) => {
      const size = tile.size / view.grid;
      for (let cell = 0; cell < view.grid * view.grid; cell++) {
        const t = view.blocks[j].cells.indexOf(cell);
        expected.push(t >= 0 ? view.blocks[j].colours[column][t] : view.background);
        centres.push([
          (tile.x + ((cell % view.grid) + 0.5) * size) * view.dpr,
          (tile.y + (Math.floor(cell / view.grid) + 0.5) * size) * view.dpr,
        ]);
      }
    }),
  );
  return { view, expected, drawn: await canvasPixels(page, 'prediction-canvas', centres) };
}

test("the predictor's view draws the target blocks of the step on the mask panel, and follows its scrubber", async ({ page }, testInfo) => {
  await openApp(page);
  await trainThenPause(page, 4);
  const masks = (await read(page, 'maskPanel'))!;
  const { view, expected, drawn } = await readPredictionCanvas(page);
  expect(view.step).toBe(masks.step);
  expect(view.image).toBe(0);
  expect(view.blocks.length).toBe(4);
  // the predicted cells of block j are the step's target indices of image 0, as the mask panel has them
  view.blocks.forEach((block, j) => {
    const Kt = masks.targetTokens;
    expect(block.cells).toEqual(masks.targetIdx.slice(j * masks.batchSize * Kt, (j * masks.batchSize + 1) * Kt));
  });
  expect(drawn).toEqual(expected);
  expect(view.error.every((e) => Number.isFinite(e) && e >= 0)).toBe(true);
  await expect(page.getByTestId('prediction-caption')).toContainText(`Image 1 of step ${view.step}`);
  await snap(page.getByTestId('prediction-view'), testInfo, 'panel-prediction');

  await page.getByTestId('mask-scrubber').fill('0');
  await expect.poll(async () => (await read(page, 'predictionPanel'))?.step).toBe((await read(page, 'maskSteps'))[0]);
  const earlier = await readPredictionCanvas(page);
  expect(earlier.drawn).toEqual(earlier.expected);
  expect(earlier.view.blocks.map((b) => b.cells)).not.toEqual(view.blocks.map((b) => b.cells));
});
