// Draws one step's masks over its training images: dropped patches darkened, context patches
// clear, each target block tinted and outlined in its own colour, with an opaque marker on every
// patch the predictor had to predict (the exact indices the step gathered).
import type { MaskRecord } from '../worker/protocol';
import { cellBox, cellRoles, TARGET_COLOURS } from './maskGeometry';
import { rgbImageData } from './rgb';

export interface Tile {
  x: number;
  y: number;
  size: number;
}

/** Tiles for `count` images in a canvas `width` px wide: up to 4 per row. */
export function layoutTiles(count: number, width: number, gap = 8): Tile[] {
  const columns = Math.min(4, count);
  const size = Math.floor((width - gap * (columns - 1)) / columns);
  return Array.from({ length: count }, (_, i) => ({ x: (i % columns) * (size + gap), y: Math.floor(i / columns) * (size + gap), size }));
}

/** The fraction of a cell covered by its target marker (centred). */
export const MARKER_FRACTION = 0.36;

/** An image's RGB bytes as a canvas that drawImage can crop and scale. */
function imageCanvas(record: MaskRecord, b: number): OffscreenCanvas | HTMLCanvasElement {
  const side = record.imageSide;
  const canvas =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(side, side)
      : Object.assign(document.createElement('canvas'), { width: side, height: side });
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
  ctx.putImageData(rgbImageData(ctx, record.images.subarray(b * side * side * 3, (b + 1) * side * side * 3), side), 0, 0);
  return canvas;
}

export function drawMaskTile(ctx: CanvasRenderingContext2D, record: MaskRecord, b: number, tile: Tile): void {
  const { grid } = record;
  const roles = cellRoles(record, b);
  // the image as the model saw it: its RandomResizedCrop box scaled to the tile
  const side = record.imageSide;
  const box = record.cropBoxes?.subarray(b * 4, b * 4 + 4);
  const [sy, sx, ey, ex] = box ? Array.from(box, (v) => v * (side - 1)) : [0, 0, side - 1, side - 1];
  ctx.imageSmoothingEnabled = false; // pixels as pixels: a 32-px image scaled up smoothly cannot be read under the grid
  ctx.drawImage(imageCanvas(record, b), sx, sy, ex - sx + 1, ey - sy + 1, tile.x, tile.y, tile.size, tile.size);

  const inAnyTarget = new Set(roles.targetBlocks.flat());
  for (let cell = 0; cell < grid * grid; cell++) {
    if (roles.context.has(cell) || inAnyTarget.has(cell)) continue;
    const c = cellBox(cell, grid, tile.size, tile.x, tile.y);
    ctx.fillStyle = 'rgba(0, 0, 0, 0.62)'; // dropped: neither seen nor predicted
    ctx.fillRect(c.x, c.y, c.size, c.size);
  }
  roles.targetRects.forEach((rect, j) => {
    const colour = TARGET_COLOURS[j % TARGET_COLOURS.length];
    ctx.globalAlpha = 0.3;
    ctx.fillStyle = colour;
    for (const cell of roles.targetBlocks[j]) {
      const c = cellBox(cell, grid, tile.size, tile.x, tile.y);
      ctx.fillRect(c.x, c.y, c.size, c.size);
    }
    ctx.globalAlpha = 1;
    if (record.strategy === 'random') return; // scattered patches: no block to outline
    const topLeft = cellBox(rect.top * grid + rect.left, grid, tile.size, tile.x, tile.y);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.strokeRect(topLeft.x + 1, topLeft.y + 1, rect.width * topLeft.size - 2, rect.height * topLeft.size - 2);
  });
  // patch grid
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.22)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let k = 1; k < grid; k++) {
    const p = Math.round((k * tile.size) / grid) + 0.5;
    ctx.moveTo(tile.x + p, tile.y);
    ctx.lineTo(tile.x + p, tile.y + tile.size);
    ctx.moveTo(tile.x, tile.y + p);
    ctx.lineTo(tile.x + tile.size, tile.y + p);
  }
  ctx.stroke();
  // opaque markers on the predicted patches, last block on top
  roles.targets.forEach((cells, j) => {
    ctx.fillStyle = TARGET_COLOURS[j % TARGET_COLOURS.length];
    for (const cell of cells) {
      const c = cellBox(cell, grid, tile.size, tile.x, tile.y);
      const m = c.size * MARKER_FRACTION;
      ctx.fillRect(c.x + (c.size - m) / 2, c.y + (c.size - m) / 2, m, m);
    }
  });
}

export function drawMasks(ctx: CanvasRenderingContext2D, record: MaskRecord, tiles: Tile[]): void {
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  tiles.forEach((tile, b) => drawMaskTile(ctx, record, b, tile));
}
