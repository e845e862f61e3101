// What the two views under the masks share (the predictor's view and its pixels): a canvas of three
// tiles per target block, sized to the layout and to its container's width, drawn in the animation
// frame after the one that asked (useBlockView).
import { useEffect, useRef, useState } from 'react';
import type { MaskRecord } from '../worker/protocol';
import type { Tile } from './drawMasks';
import { predictionLayout } from './drawPrediction';
import { observeWidth } from './useAnimationFrame';

/** What a view shows now (read by the test hook), and how the mask panel asks it to draw. */
export interface BlockView {
  record: MaskRecord | null;
  tiles: Tile[][];
  dpr: number;
  draw: (record: MaskRecord | null) => void;
}

export const emptyBlockView = (): BlockView => ({ record: null, tiles: [], dpr: 1, draw: () => {} });

/** The tiles of `numTargets` blocks in `width` px, with the canvas sized to them and its context set
 *  to CSS pixels. The canvas is resized only when the layout changes: a resize resets it and lays out
 *  the page again. */
function sizeBlockCanvas(
  el: HTMLCanvasElement,
  numTargets: number,
  width: number,
): { ctx: CanvasRenderingContext2D; tiles: Tile[][]; dpr: number } {
  const { tiles, height } = predictionLayout(numTargets, width);
  const dpr = window.devicePixelRatio || 1;
  const cssWidth = tiles[0][tiles[0].length - 1].x + tiles[0][0].size;
  if (el.width !== Math.round(cssWidth * dpr) || el.height !== Math.round(height * dpr)) {
    el.width = Math.round(cssWidth * dpr);
    el.height = Math.round(height * dpr);
    el.style.width = `${cssWidth}px`;
    el.style.height = `${height}px`;
  }
  const ctx = el.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, tiles, dpr };
}

/** Makes `view.draw` draw the newest record asked for in the next animation frame (not in the masks'
 *  own: one frame's callbacks run as one task, and all views together could make it a long one), and
 *  draws the one it shows now again. Returns the cleanup. */
function drawInNextFrame(view: BlockView, drawNow: (record: MaskRecord | null) => void): () => void {
  let frame = 0;
  let pending: MaskRecord | null = view.record;
  view.draw = (shown) => {
    pending = shown;
    frame ||= requestAnimationFrame(() => {
      frame = 0;
      drawNow(pending);
    });
  };
  view.draw(pending);
  return () => cancelAnimationFrame(frame);
}

/** A view's canvas and its container: `view.draw` draws, in the next frame, the part of the record that
 *  `part` picks (no record is shown when it has none), with `draw` at the container's width. `part`
 *  and `draw` are module-level functions (the drawing is set up once per width). */
export function useBlockView<Part extends { numTargets: number }>(
  view: BlockView,
  part: (record: MaskRecord) => Part | null | undefined,
  draw: (ctx: CanvasRenderingContext2D, record: MaskRecord, tiles: Tile[][]) => void,
) {
  const container = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(420);
  useEffect(() => (container.current ? observeWidth(container.current, setWidth) : undefined), []);
  useEffect(
    () =>
      drawInNextFrame(view, (shown) => {
        const el = canvas.current;
        const picked = shown && part(shown);
        if (!el || !shown || !picked) {
          view.record = null;
          return;
        }
        const { ctx, tiles, dpr } = sizeBlockCanvas(el, picked.numTargets, width);
        draw(ctx, shown, tiles);
        Object.assign(view, { record: shown, tiles, dpr });
      }),
    [view, part, draw, width],
  );
  return { container, canvas };
}
