// Draws the pixel decoder's view of one step: per target block of the shown image, three pictures of
// the image as the encoder's input had it (its crop): the context the encoder saw, dimmed, and the
// block's predicted patches at full strength: the true pixels, the decoder's reading of the target
// features, and its reading of the predictor's output. So a guess is seen where it belongs, next to
// the strokes it continues. Cells neither context nor the block (the other blocks) stay background.
import type { DecodedRecord, MaskRecord } from '../worker/protocol';
import type { Tile } from './drawMasks';
import { PREDICTION_BACKGROUND, predictedCells } from './drawPrediction';

export const DECODED_COLUMNS = ['true pixels', 'what the representation keeps', 'what the predictor imagines'] as const;

const sources = (decoded: DecodedRecord) => [decoded.truth, decoded.fromTargets, decoded.fromPredicted];

/** How much of the context's contrast against the background is kept: enough to read the image
 *  around a block, little enough that the block itself stands out. */
const CONTEXT_SHADE = 0.55;

/** Channel `c` of a context pixel as drawn: dimmed toward the background. */
export const contextShade = (c: number, value: number) =>
  Math.round(PREDICTION_BACKGROUND[c] + CONTEXT_SHADE * (value - PREDICTION_BACKGROUND[c]));

/** The context cells of the shown image (what the encoder saw). */
export function contextCells(record: MaskRecord, decoded: DecodedRecord): Int32Array {
  const Kc = record.contextTokens;
  return record.contextIdx.subarray(decoded.image * Kc, (decoded.image + 1) * Kc);
}

/** Block j in one column: the context from the input, dimmed, and the block's patches from the column's
 *  source, as an RGBA image of the whole grid (grid·p square). */
export function blockPicture(record: MaskRecord, decoded: DecodedRecord, column: number, j: number): ImageData {
  const { patchSize: p, tokens } = decoded;
  const side = record.grid * p;
  const image = new ImageData(side, side);
  const background = Uint8ClampedArray.of(...PREDICTION_BACKGROUND, 255);
  for (let i = 0; i < side * side; i++) image.data.set(background, i * 4);
  // patch `k` of `pixels` ([rows, p, p, 3]) into the grid's `cell`
  const paste = (pixels: Uint8Array, k: number, cell: number, dim: boolean) => {
    const [row, col] = [Math.floor(cell / record.grid), cell % record.grid];
    for (let y = 0; y < p; y++)
      for (let x = 0; x < p; x++) {
        const [from, to] = [((k * p + y) * p + x) * 3, ((row * p + y) * side + col * p + x) * 4];
        for (let c = 0; c < 3; c++) image.data[to + c] = dim ? contextShade(c, pixels[from + c]) : pixels[from + c];
      }
  };
  for (const cell of contextCells(record, decoded)) paste(decoded.input, cell, cell, true);
  const source = sources(decoded)[column];
  predictedCells(record, decoded, j).forEach((cell, t) => paste(source, j * tokens + t, cell, false));
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
