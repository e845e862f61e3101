// Draws the predictor's view of one step: per target block of the shown image, three maps of the
// patch grid: the target encoder's features of the block's predicted patches, the predictor's output
// for the same patches (both through one RGB projection, so equal colours mean a good guess), and the
// loss of each patch. Cells outside the block stay background.
import type { MaskRecord, PredictionRecord } from '../worker/protocol';
import type { Tile } from './drawMasks';
import { cellBox } from './maskGeometry';

export const PREDICTION_BACKGROUND: [number, number, number] = [24, 28, 33];
export const PREDICTION_COLUMNS = ['target features', 'predicted', 'error'] as const;
const GAP = 6;
const MAX_TILE = 100;

/** Tiles of the view: [block][column], and the canvas height. */
export function predictionLayout(numTargets: number, width: number): { tiles: Tile[][]; height: number } {
  const size = Math.min(MAX_TILE, Math.floor((width - GAP * (PREDICTION_COLUMNS.length - 1)) / PREDICTION_COLUMNS.length));
  const tiles = Array.from({ length: numTargets }, (_, j) =>
    PREDICTION_COLUMNS.map((_, c) => ({ x: c * (size + GAP), y: j * (size + GAP), size })),
  );
  return { tiles, height: numTargets * (size + GAP) - GAP };
}

/** The error map's colour: black (no error) to a bright yellow at the cost of predicting zeros. */
export function errorColour(error: number, full: number): [number, number, number] {
  const v = Math.max(0, Math.min(1, full > 0 ? error / full : 0));
  return [Math.round(255 * Math.sqrt(v)), Math.round(220 * v), Math.round(60 * v * v)];
}

/** The patch cells of block j of the shown image, in the order the step gathered them. */
export function predictedCells(record: MaskRecord, shown: { image: number }, j: number): Int32Array {
  const { batchSize: B, targetTokens: Kt } = record;
  return record.targetIdx.subarray((j * B + shown.image) * Kt, (j * B + shown.image + 1) * Kt);
}

/** The colour of token t of block j in each column. */
export function cellColour(prediction: PredictionRecord, column: number, j: number, t: number): [number, number, number] {
  const row = j * prediction.tokens + t;
  if (column === 2) return errorColour(prediction.error[row], prediction.errorOfZeros);
  const rgb = column === 0 ? prediction.targetRgb : prediction.predictedRgb;
  return [rgb[row * 3], rgb[row * 3 + 1], rgb[row * 3 + 2]];
}

export function drawPrediction(ctx: CanvasRenderingContext2D, record: MaskRecord, tiles: Tile[][]): void {
  const prediction = record.prediction;
  if (!prediction) return;
  const fill = (rgb: [number, number, number]) => (ctx.fillStyle = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`);
  tiles.forEach((row, j) => {
    const cells = predictedCells(record, prediction, j);
    row.forEach((tile, column) => {
      fill(PREDICTION_BACKGROUND);
      ctx.fillRect(tile.x, tile.y, tile.size, tile.size);
      cells.forEach((cell, t) => {
        const box = cellBox(cell, record.grid, tile.size, tile.x, tile.y);
        fill(cellColour(prediction, column, j, t));
        ctx.fillRect(box.x, box.y, box.size, box.size);
      });
    });
  });
}

/** Mean loss per block, and what predicting zeros would cost. */
export function blockErrors(prediction: PredictionRecord): number[] {
  return Array.from({ length: prediction.numTargets }, (_, j) => {
    const errors = prediction.error.subarray(j * prediction.tokens, (j + 1) * prediction.tokens);
    return errors.reduce((s, v) => s + v, 0) / errors.length;
  });
}
