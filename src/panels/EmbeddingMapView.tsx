// The embedding map: the held-out images' pooled features on their first two principal components,
// a point per image coloured by class, moving smoothly from one evaluation to the next; a slider
// replays earlier evaluations, hover shows the image, a click shows its neighbours.
import { useEffect, useRef, useState } from 'react';
import { useAppStore } from '../store/appStore';
import { actions } from '../store/trainerConnection';
import type { DatasetImages, EmbeddingMap } from '../worker/protocol';
import { between, classColour, drawMap, pointAt, toCanvas, unitPositions } from './drawEmbeddingMap';
import { RgbCanvas } from './RgbCanvas';
import { observeWidth } from './useAnimationFrame';

const TRANSITION_MS = 450;
const MAX_SIZE = 360;
const NO_CLASSES: string[] = [];

/** What the map shows now (read by the test hook): the evaluation, and the points in CSS pixels. */
export const embeddingMapPanel: { map: EmbeddingMap | null; canvasPoints: [number, number][]; dpr: number } = {
  map: null,
  canvasPoints: [],
  dpr: 1,
};

function useShownMap(): { maps: EmbeddingMap[]; shown: EmbeddingMap | null; choice: number | null; choose: (i: number | null) => void } {
  const quality = useAppStore((s) => s.quality);
  const maps = quality.flatMap((q) => (q.map ? [q.map] : []));
  const [choice, choose] = useState<number | null>(null); // null: follow the newest
  const shown = maps[choice === null ? maps.length - 1 : Math.min(choice, maps.length - 1)] ?? null;
  return { maps, shown, choice, choose };
}

export function EmbeddingMapView() {
  const container = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(MAX_SIZE);
  const size = Math.max(160, Math.min(MAX_SIZE, width));
  const { maps, shown, choice, choose } = useShownMap();
  const newest = useAppStore((s) => s.quality[s.quality.length - 1]);
  const classNames = newest?.classNames ?? NO_CLASSES;
  const selected = useAppStore((s) => s.neighbourQuery);
  const drawnAt = useRef(new Map<number, [number, number]>()); // where each image is drawn now (unit square)
  const positions = useRef<Float32Array>(new Float32Array(0));
  const [hover, setHover] = useState<{ row: number; x: number; y: number; image: DatasetImages | null } | null>(null);

  useEffect(() => (container.current ? observeWidth(container.current, setWidth) : undefined), []);

  useEffect(() => {
    const el = canvas.current;
    if (!el || !shown) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = Math.round(size * dpr);
    el.height = Math.round(size * dpr);
    const ctx = el.getContext('2d')!;
    const target = unitPositions(shown);
    const from = new Map(drawnAt.current);
    const started = performance.now();
    let frame = 0;
    const draw = () => {
      const t = Math.min(1, (performance.now() - started) / TRANSITION_MS);
      positions.current = between(shown, target, from, t);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawMap(ctx, shown, positions.current, size, selected);
      if (t < 1) {
        frame = requestAnimationFrame(draw);
        return;
      }
      drawnAt.current = new Map(Array.from(shown.indices, (index, i) => [index, [target[i * 2], target[i * 2 + 1]]]));
      Object.assign(embeddingMapPanel, {
        map: shown,
        dpr,
        canvasPoints: Array.from(shown.indices, (_, i) => toCanvas(target[i * 2], target[i * 2 + 1], size)),
      });
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [shown, size, selected]);

  if (!shown) return <p className="muted">The map appears after the first evaluation.</p>;
  const pointer = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    return pointAt(positions.current, e.clientX - box.left, e.clientY - box.top, size);
  };
  const present = new Set(shown.labels);
  return (
    <div className="embedding-map" data-testid="embedding-map">
      <div ref={container} className="map-box" style={{ position: 'relative' }}>
        <canvas
          ref={canvas}
          data-testid="embedding-map-canvas"
          style={{ width: size, height: size }}
          role="img"
          aria-label={`Held-out images of the evaluation at step ${shown.step}, on the first two principal components of their features`}
          onMouseMove={async (e) => {
            const row = pointer(e);
            if (row < 0) return setHover(null);
            const box = e.currentTarget.getBoundingClientRect();
            const at = { row, x: e.clientX - box.left, y: e.clientY - box.top };
            if (hover?.row === row) return setHover({ ...hover, ...at }); // same point: its image is in hand or on its way
            setHover({ ...at, image: null });
            const image = await actions.images([shown.indices[row]]);
            setHover((h) => (h?.row === row ? { ...at, image: image ?? null } : h));
          }}
          onMouseLeave={() => setHover(null)}
          onClick={(e) => {
            const row = pointer(e);
            if (row >= 0) void actions.showNeighbours(shown.indices[row]);
          }}
        />
        {hover && (
          <div className="map-tooltip" style={{ left: hover.x + 12, top: hover.y + 12 }} data-testid="map-tooltip">
            {hover.image && <RgbCanvas rgb={hover.image.rgb} side={hover.image.side} label="hovered image" className="thumb" />}
            <span>{shown.labels[hover.row] >= 0 ? (classNames[shown.labels[hover.row]] ?? '') : 'no label'}</span>
          </div>
        )}
      </div>
      <div className="legend">
        {classNames.map((name, id) =>
          present.has(id) ? (
            <span key={name}>
              <i style={{ background: classColour(id) }} />
              {name}
            </span>
          ) : null,
        )}
      </div>
      <label className="row">
        <span className="muted">
          Evaluation at step {shown.step} · {shown.indices.length} images · PCA {newest?.mapMs.toFixed(1)} ms
        </span>
        <input
          type="range"
          data-testid="map-replay"
          aria-label="Evaluation shown on the map"
          min={0}
          max={Math.max(0, maps.length - 1)}
          value={choice === null ? maps.length - 1 : Math.min(choice, maps.length - 1)}
          disabled={maps.length < 2}
          onChange={(e) => choose(Number(e.target.value) === maps.length - 1 ? null : Number(e.target.value))}
        />
      </label>
    </div>
  );
}
