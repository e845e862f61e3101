// Pure geometry of the mask panel: which patch cells a block covers, what role every cell of an
// image plays in a step, and where a cell lands on the canvas.
import { rectCells } from '../ijepa/blocks';
import type { BlockRect } from '../ijepa/masks';
import type { MaskRecord } from '../worker/protocol';

/** Okabe-Ito colours (distinguishable with colour-blindness), one per target block. */
export const TARGET_COLOURS = ['#e69f00', '#56b4e9', '#009e73', '#cc79a7', '#f0e442', '#0072b2', '#d55e00', '#999999'];

export interface CellRoles {
  context: Set<number>; // cells the encoder saw
  targets: Set<number>[]; // per target block: the Kt cells whose representation was predicted
  targetRects: BlockRect[]; // per target block
  targetBlocks: number[][]; // per target block: its cells (a rectangle's; random masks: the predicted cells)
  contextRect: BlockRect;
}

/** The roles of every cell of image `b` in the step of `record` (from the indices it gathered). */
export function cellRoles(record: MaskRecord, b: number): CellRoles {
  const { batchSize: B, contextTokens: Kc, targetTokens: Kt } = record;
  const numTargets = record.targetIdx.length / (B * Kt);
  const targets = Array.from({ length: numTargets }, (_, j) => new Set(record.targetIdx.subarray((j * B + b) * Kt, (j * B + b + 1) * Kt)));
  return {
    context: new Set(record.contextIdx.subarray(b * Kc, (b + 1) * Kc)),
    targets,
    targetRects: targets.map((_, j) => record.targetRects[j * B + b]),
    targetBlocks: targets.map((cells, j) =>
      record.strategy === 'random' ? [...cells] : rectCells(record.targetRects[j * B + b], record.grid),
    ),
    contextRect: record.contextRects[b],
  };
}

/** Top-left corner and size, in canvas pixels, of `cell` in a tile of `tileSize` px at (x0, y0). */
export function cellBox(cell: number, grid: number, tileSize: number, x0 = 0, y0 = 0): { x: number; y: number; size: number } {
  const size = tileSize / grid;
  return { x: x0 + (cell % grid) * size, y: y0 + Math.floor(cell / grid) * size, size };
}

/** Coverage of the grid by the context and by one target block, in percent. */
export function coverage(record: MaskRecord): { context: number; target: number; targetBlock: { height: number; width: number } } {
  const N = record.grid * record.grid;
  const rect = record.targetRects[0];
  return {
    context: (100 * record.contextTokens) / N,
    target: (100 * record.targetTokens) / N,
    targetBlock: { height: rect.height, width: rect.width },
  };
}

/** "an 8×8", "a 16×16" (the article follows how the number is said). */
export const gridPhrase = (grid: number) => `${/^(8|11|18)$|^8\d$/.test(String(grid)) ? 'an' : 'a'} ${grid}×${grid}`;
