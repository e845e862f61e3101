// Draws the pixel decoder's view of one step: per target block of the shown image, three pictures of
// the patch grid with only that block's predicted patches filled: the true pixels, the decoder's
// reading of the target features, and its reading of the predictor's output. Cells outside the block
// stay background.
import type { DecodedRecord, MaskRecord } from '../worker/protocol';
import type { Tile } from './drawMasks';
import { PREDICTION_BACKGROUND, predictedCells } from './drawPrediction';

export const DECODED_COLUMNS = ['true pixels', 'what the representation keeps', 'what the predictor imagines'] as const;

const sources = (decoded: DecodedRecord) => [decoded.truth, decoded.fromTargets, decoded.fromPredicted];

/** Block j's pixels from one column's source, as an RGBA image of the whole grid (grid·p square). */
export function blockPicture(record: MaskRecord, decoded: DecodedRecord, column: number, j: number): ImageData {
  const { patchSize: p, tokens } = decoded;
  const side = record.grid * p;
  const image = new ImageData(side, side);
  const put = (at: number, r: number, g: number, b: number) => {
    image.data[at] = r;
    image.data[at + 1] = g;
    image.data[at + 2] = b;
    image.data[at + 3] = 255;
  };
  for (let i = 0; i < side * side; i++) put(i * 4, ...PREDICTION_BACKGROUND);
  const source = sources(decoded)[column];
  predictedCells(record, decoded, j).forEach((cell, t) => {
    const [row, col] = [Math.floor(cell / record.grid), cell % record.grid];
    for (let y = 0; y < p; y++)
      for (let x = 0; x < p; x++) {
        const from = (((j * tokens + t) * p + y) * p + x) * 3;
        put(((row * p + y) * side + col * p + x) * 4, source[from], source[from + 1], source[from + 2]);
      }
  });
  return image;
}

export function drawDecoded(ctx: CanvasRenderingContext2D, record: MaskRecord, tiles: Tile[][]): void {
  const decoded = record.decoded;
  if (!decoded) return;
  const side = record.grid * decoded.patchSize;
  const scratch =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(side, side)
      : Object.assign(document.createElement('canvas'), { width: side, height: side });
  const scratchCtx = scratch.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
  ctx.imageSmoothingEnabled = false; // patches as the model saw them, not blurred
  tiles.forEach((row, j) =>
    row.forEach((tile, column) => {
      scratchCtx.putImageData(blockPicture(record, decoded, column, j), 0, 0);
      ctx.drawImage(scratch, tile.x, tile.y, tile.size, tile.size);
    }),
  );
}
