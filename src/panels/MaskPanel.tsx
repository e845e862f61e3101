// The mask panel: the training images of a step with the context, the dropped patches and the
// target blocks (multi-block's 4, or an ablation's), a legend, the block sizes and token counts, a scrubber over recent steps, and
// the predictor's view of the same step (./PredictionView.tsx) and its pixels (./DecoderView.tsx).
import { useEffect, useRef, useState } from 'react';
import { runHistory } from '../store/metrics';
import type { MaskRecord } from '../worker/protocol';
import { drawMasks, layoutTiles, type Tile } from './drawMasks';
import { DecoderView, decoderPanelView } from './DecoderView';
import { PredictionView, predictionPanelView } from './PredictionView';
import { coverage, TARGET_COLOURS, gridPhrase } from './maskGeometry';
import { observeWidth, useAnimationFrame } from './useAnimationFrame';

/** What the panel shows now (read by the test hook: the same record and layout it drew). */
export const maskPanelView: { record: MaskRecord | null; tiles: Tile[]; dpr: number } = { record: null, tiles: [], dpr: 1 };

function describe(record: MaskRecord): string {
  const cov = coverage(record);
  const numTargets = record.targetRects.length / record.batchSize;
  const context = `context ${record.contextTokens} patches (Kc, ${cov.context.toFixed(1)}%) on ${gridPhrase(record.grid)} grid`;
  const predicted = `${record.targetTokens} predicted each (Kt, ${cov.target.toFixed(1)}% of the grid)`;
  const blocks = `${cov.targetBlock.height}×${cov.targetBlock.width} patches`;
  switch (record.strategy) {
    case 'multiblock':
      return `Step ${record.step}: ${numTargets} target blocks of ${blocks}, ${predicted}; ${context}.`;
    case 'rasterized':
      return `Step ${record.step}, rasterized masks (the paper's ablation): one quadrant is the context, the other ${numTargets} are the targets, ${predicted}; ${context}.`;
    case 'block':
      return `Step ${record.step}, block masks (the paper's ablation): one target block of ${blocks}, ${predicted}; the ${context}.`;
    case 'random':
      return `Step ${record.step}, random masks (the paper's ablation): ${record.targetTokens} scattered patches predicted (${cov.target.toFixed(1)}% of the grid); the rest is the ${context}.`;
  }
}

export function MaskPanel() {
  const container = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(600);
  const [follow, setFollow] = useState(true);
  const [selectedStep, setSelectedStep] = useState<number | null>(null);
  const [, setTick] = useState(0); // re-render the text when a new record arrives while following
  const [caption, setCaption] = useState('No step trained yet: press Train or Step to see the masks of each batch.');

  useEffect(() => (container.current ? observeWidth(container.current, setWidth) : undefined), []);

  useAnimationFrame(
    () => runHistory.version,
    () => {
      const masks = runHistory.masks;
      const record = follow || selectedStep === null ? masks[masks.length - 1] : (masks.find((m) => m.step === selectedStep) ?? masks[0]);
      const el = canvas.current;
      if (!el) return;
      predictionPanelView.draw(record ?? null);
      decoderPanelView.draw(record ?? null);
      if (!record) {
        maskPanelView.record = null;
        el.getContext('2d')?.clearRect(0, 0, el.width, el.height);
        setCaption('No step trained yet: press Train or Step to see the masks of each batch.');
        return;
      }
      const count = record.images.length / (record.imageSide * record.imageSide * 3);
      const tiles = layoutTiles(count, width);
      const dpr = window.devicePixelRatio || 1;
      const height = tiles[tiles.length - 1].y + tiles[0].size;
      el.width = Math.round(width * dpr);
      el.height = Math.round(height * dpr);
      el.style.height = `${height}px`;
      const ctx = el.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawMasks(ctx, record, tiles);
      Object.assign(maskPanelView, { record, tiles, dpr });
      setCaption(describe(record));
      setTick((t) => t + 1);
    },
    [width, follow, selectedStep],
  );

  const masks = runHistory.masks;
  const shownIndex =
    follow || selectedStep === null
      ? masks.length - 1
      : Math.max(
          0,
          masks.findIndex((m) => m.step === selectedStep),
        );
  const numTargets = maskPanelView.record ? maskPanelView.record.targetRects.length / maskPanelView.record.batchSize : 4;

  return (
    <section className="panel mask-panel" aria-labelledby="masks-heading">
      <h2 id="masks-heading">Masks of the batch</h2>
      <div className="legend" aria-hidden="true">
        {Array.from({ length: numTargets }, (_, j) => (
          <span key={j}>
            <i style={{ background: TARGET_COLOURS[j % TARGET_COLOURS.length] }} />
            target {j + 1}
          </span>
        ))}
        <span>
          <i className="swatch-context" />
          context (seen)
        </span>
        <span>
          <i className="swatch-dropped" />
          dropped
        </span>
        <span className="muted">■ marks a predicted patch</span>
      </div>
      <div ref={container} className="mask-canvas-box">
        <canvas ref={canvas} data-testid="mask-canvas" role="img" aria-label={caption} />
      </div>
      <p className="muted mask-caption" data-testid="mask-caption">
        {caption}
      </p>
      <div className="row scrubber">
        <label className="row">
          <input
            type="checkbox"
            data-testid="mask-follow"
            checked={follow}
            onChange={(e) => {
              setFollow(e.target.checked);
              if (!e.target.checked) setSelectedStep(masks[masks.length - 1]?.step ?? null);
            }}
          />{' '}
          Follow live
        </label>
        <input
          type="range"
          data-testid="mask-scrubber"
          aria-label="Step shown"
          min={0}
          max={Math.max(0, masks.length - 1)}
          value={Math.max(0, shownIndex)}
          disabled={masks.length < 2}
          onChange={(e) => {
            setFollow(false);
            setSelectedStep(masks[Number(e.target.value)]?.step ?? null);
          }}
        />
        <span className="muted">last {masks.length} steps</span>
      </div>
      <PredictionView record={maskPanelView.record} />
      <DecoderView record={maskPanelView.record} />
    </section>
  );
}
