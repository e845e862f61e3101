// Block geometry on the patch grid, shared by every masking strategy: a block's size from one uniform
// draw (the reference's _sample_block_size), the range of areas a size range allows, and the cells of
// a block.
import type { Range } from './config';

export interface BlockSize {
  height: number;
  width: number;
}
export interface BlockRect extends BlockSize {
  top: number;
  left: number;
}

/** The reference's _sample_block_size: ONE uniform u sets both the scale and the aspect ratio. */
export function blockSizeFor(u: number, scale: Range, aspect: Range, grid: number): BlockSize {
  const maskScale = scale[0] + u * (scale[1] - scale[0]);
  const maxKeep = Math.floor(grid * grid * maskScale);
  const aspectRatio = aspect[0] + u * (aspect[1] - aspect[0]);
  // Math.round rounds .5 up where Python rounds half to even: sqrt of an integer product is
  // irrational or an integer, so exact halves do not occur here.
  let height = Math.round(Math.sqrt(maxKeep * aspectRatio));
  let width = Math.round(Math.sqrt(maxKeep / aspectRatio));
  height = Math.max(1, Math.min(height, grid - 1));
  width = Math.max(1, Math.min(width, grid - 1));
  return { height, width };
}

/** Smallest and largest block area h*w over u in [0, 1] (a fine scan: h, w are step functions). */
export function blockAreaRange(scale: Range, aspect: Range, grid: number): { min: number; max: number } {
  let min = Infinity;
  let max = 0;
  const steps = 4096;
  for (let i = 0; i <= steps; i++) {
    const { height, width } = blockSizeFor(i / steps, scale, aspect, grid);
    min = Math.min(min, height * width);
    max = Math.max(max, height * width);
  }
  return { min, max };
}

/** A block on the grid: the cells it keeps (constraints may drop some) and its rectangle. */
export interface Block {
  cells: number[];
  rect: BlockRect;
}

/** The cells of `rect`, row by row. */
export function rectCells(rect: BlockRect, grid: number): number[] {
  const cells: number[] = [];
  for (let r = rect.top; r < rect.top + rect.height; r++) for (let c = rect.left; c < rect.left + rect.width; c++) cells.push(r * grid + c);
  return cells;
}
