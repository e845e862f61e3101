// What the encoder learned, on WebGPU: the predictor's view of the step on the mask panel and its
// pixels (the pixel decoder's view), the
// embedding map of the held-out images, and nearest neighbours under the trained and random encoders.
import { expect, test, type Page } from '@playwright/test';
import { canvasPixels, FAST_RUN, hex, openApp, read, snap, trainThenPause, UI_RUN, waitForDatasetCount, waitForEvaluations } from './app';
import { makeClassFolder } from './fixtures/folder';
import { POINT_RADIUS } from '../src/panels/drawEmbeddingMap';

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

/** The centre pixel of every cell of every tile of the pixel decoder's view, with the colour the step's
 *  decoded pixels say it has in the block, the input's (dimmed) in the context, the background elsewhere. */
async function readDecoderCanvas(page: Page) {
  const view = (await read(page, 'decoderPanel'))!;
  const expected: string[] = [];
  const points: [number, number][] = [];
  const p = view.patchSize;
  view.tiles.forEach((row, j) =>
    row.forEach((tile, column) => {
      const pixel = tile.size / (view.grid * p); // one decoded pixel on the canvas
      for (let cell = 0; cell < view.grid * view.grid; cell++) {
        const t = view.blocks[j].cells.indexOf(cell);
        const context = view.context.find((c) => c.cell === cell);
        expected.push(t >= 0 ? view.blocks[j].centres[column][t] : (context?.centre ?? view.background));
        const centre = (index: number) => (index * p + Math.floor(p / 2) + 0.5) * pixel; // the middle of the patch's centre pixel
        points.push([(tile.x + centre(cell % view.grid)) * view.dpr, (tile.y + centre(Math.floor(cell / view.grid))) * view.dpr]);
      }
    }),
  );
  return { view, expected, drawn: await canvasPixels(page, 'decoder-canvas', points) };
}

test("the predictor's view and its pixels draw the target blocks of the step on the mask panel, and follow its scrubber", async ({
  page,
}, testInfo) => {
  await openApp(page, FAST_RUN.replace('decoderView=0', 'decoderView=1'));
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
  // the pixel decoder's view of the same step: pixel tiles exactly at the same blocks' patches
  const decoded = await readDecoderCanvas(page);
  expect(decoded.view.step).toBe(view.step);
  expect(decoded.view.blocks.map((b) => b.cells)).toEqual(view.blocks.map((b) => b.cells));
  expect(decoded.view.context.map((c) => c.cell)).toEqual(Array.from(masks.contextIdx.slice(0, masks.contextTokens))); // image 0's context
  expect(decoded.drawn).toEqual(decoded.expected);
  expect([...decoded.view.psnrTargets, ...decoded.view.psnrPredicted].every(Number.isFinite)).toBe(true);
  await expect(page.getByTestId('decoder-caption')).toContainText(`Image 1 of step ${view.step}`);
  await expect(page.getByTestId('decoder-chart').locator('canvas')).toHaveAttribute('aria-label', /representation keeps [\d.]+ dB/);
  await snap(page.getByTestId('decoder-view'), testInfo, 'panel-decoder');

  await page.getByTestId('mask-scrubber').fill('0');
  await expect.poll(async () => (await read(page, 'predictionPanel'))?.step).toBe((await read(page, 'maskSteps'))[0]);
  const earlier = await readPredictionCanvas(page);
  expect(earlier.drawn).toEqual(earlier.expected);
  expect(earlier.view.blocks.map((b) => b.cells)).not.toEqual(view.blocks.map((b) => b.cells));
  await expect.poll(async () => (await read(page, 'decoderPanel'))?.step).toBe(earlier.view.step);
  const earlierDecoded = await readDecoderCanvas(page);
  expect(earlierDecoded.drawn).toEqual(earlierDecoded.expected);
  expect(earlierDecoded.view.blocks.map((b) => b.cells)).toEqual(earlier.view.blocks.map((b) => b.cells));
  // its switch: off, kept in the link, and the next step has no decoded blocks
  await page.getByTestId('mask-follow').check();
  await page.getByTestId('decoder-switch').uncheck();
  await expect(page.getByTestId('decoder-view')).toContainText('The pixel decoder is off.');
  await expect.poll(() => new URL(page.url()).searchParams.get('decoderView')).toBe('0');
  await page.getByTestId('step-button').click();
  await expect.poll(() => read(page, 'decoderPanel')).toBeNull();
  await expect.poll(async () => (await read(page, 'predictionPanel'))?.step).toBe((await read(page, 'maskPanel'))!.step); // the predictor's view goes on
});

test("the embedding map draws one point per held-out image; an image's neighbours start with itself and change with training", async ({
  page,
}, testInfo) => {
  const folder = makeClassFolder(testInfo.outputPath('fixture'));
  await openApp(page, UI_RUN);
  await page.getByTestId('folder-input').setInputFiles(folder);
  await waitForDatasetCount(page, 60); // three classes of 20: every fifth of a class (12) is held out
  await page.getByTestId('evaluate-now').click();
  await waitForEvaluations(page, 1);

  // the map: the 12 held-out images, each drawn in its class colour where the hook says
  await expect.poll(async () => (await read(page, 'embeddingMap'))?.step).toBe(0);
  const map = (await read(page, 'embeddingMap'))!;
  expect(map.indices.length).toBe(12);
  expect(new Set(map.indices).size).toBe(12);
  expect([0, 1, 2].map((c) => map.labels.filter((l) => l === c).length)).toEqual([4, 4, 4]);
  const drawn = await canvasPixels(
    page,
    'embedding-map-canvas',
    map.canvasPoints.map(([x, y]) => [x * map.dpr, y * map.dpr]),
  );
  // a point drawn later may cover another (or its antialiased edge may): check the uncovered ones exactly
  const covered = (i: number) =>
    map.canvasPoints.some(([x, y], j) => j > i && Math.hypot(x - map.canvasPoints[i][0], y - map.canvasPoints[i][1]) <= POINT_RADIUS + 2.5);
  const uncovered = map.indices.flatMap((_, i) => (covered(i) ? [] : [i]));
  expect(uncovered.length).toBeGreaterThanOrEqual(6);
  for (const i of uncovered) expect(drawn[i], `point ${i}`).toBe(hex(map.colours[i]));

  // neighbours of a held-out image from the strip: itself first under both encoders
  const strip = page.getByTestId('query-strip').locator('button');
  await expect(strip).toHaveCount(12);
  const query = Number(await strip.nth(3).getAttribute('data-index'));
  await strip.nth(3).click();
  await expect.poll(async () => (await read(page, 'neighbours'))?.query).toBe(query);
  const before = (await read(page, 'neighbours'))!;
  expect(before.trained[0].index).toBe(query);
  expect(before.random[0].index).toBe(query);
  await expect(page.getByTestId('neighbours-trained').getByTestId('neighbour').first()).toHaveAttribute('data-index', String(query));
  await snap(page.locator('.learned-panel'), testInfo, 'panel-learned');

  // train, evaluate again: the map moves to the new evaluation, the neighbours are recomputed and differ
  await trainThenPause(page, 4);
  await page.getByTestId('evaluate-now').click();
  const steps = await waitForEvaluations(page, 2);
  await expect.poll(async () => (await read(page, 'neighbours'))?.step).toBe(steps[1]);
  const after = (await read(page, 'neighbours'))!;
  expect(after.query).toBe(query);
  expect(after.trained[0].index).toBe(query);
  expect(after.trained).not.toEqual(before.trained);
  expect(after.random).toEqual(before.random); // the random-init encoder did not train
  await expect.poll(async () => (await read(page, 'embeddingMap'))?.step).toBe(steps[1]);
  await page.getByTestId('map-replay').fill('0');
  await expect.poll(async () => (await read(page, 'embeddingMap'))?.step).toBe(0);
});
