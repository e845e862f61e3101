// Nearest neighbours, labels or not: pick an image (the held-out strip, a point on the map, a dataset
// thumbnail) and see the images the run's target encoder puts closest to it, beside what a
// random-init encoder of the same shape puts there. Refreshed at every evaluation.
import { useAppStore } from '../store/appStore';
import { actions } from '../store/trainerConnection';
import type { Neighbour } from '../worker/protocol';
import { RgbCanvas } from './RgbCanvas';

function NeighbourRow({
  title,
  testId,
  list,
  side,
  queryLabel,
}: {
  title: string;
  testId: string;
  list: Neighbour[];
  side: number;
  queryLabel: string | null;
}) {
  const sameClass = queryLabel === null ? null : list.slice(1).filter((n) => n.label === queryLabel).length;
  return (
    <div className="neighbour-row">
      <p className="muted note">
        {title}
        {sameClass !== null && list.length > 1 ? ` · ${sameClass} of the ${list.length - 1} nearest others share its class` : ''}
      </p>
      <div className="neighbour-list" data-testid={testId}>
        {list.map((n) => (
          <figure
            key={n.index}
            data-testid="neighbour"
            data-index={n.index}
            className={n.label !== null && n.label === queryLabel ? 'same-class' : ''}
          >
            <RgbCanvas
              rgb={n.rgb}
              side={side}
              label={`${n.label ?? 'unlabelled'}, similarity ${n.similarity.toFixed(3)}`}
              className="thumb"
            />
            <figcaption>{n.similarity.toFixed(3)}</figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}

export function NeighboursView() {
  const strip = useAppStore((s) => s.queryStrip);
  const query = useAppStore((s) => s.neighbourQuery);
  const neighbours = useAppStore((s) => s.neighbours);
  const note = useAppStore((s) => s.neighbourNote);
  if (!strip) return <p className="muted">Neighbours appear after the first evaluation.</p>;
  const pixels = strip.side * strip.side * 3;
  const queryLabel = neighbours?.trained[0]?.index === neighbours?.query ? (neighbours?.trained[0]?.label ?? null) : null;
  return (
    <div className="neighbours" data-testid="neighbours">
      <p className="muted note">Pick an image (here, on the map, or among the dataset thumbnails):</p>
      <div className="thumbs query-strip" data-testid="query-strip">
        {strip.indices.map((index, k) => (
          <button
            key={index}
            type="button"
            className={index === query ? 'picked' : ''}
            data-index={index}
            onClick={() => void actions.showNeighbours(index)}
          >
            <RgbCanvas
              rgb={strip.rgb.subarray(k * pixels, (k + 1) * pixels)}
              side={strip.side}
              label={`held-out image ${k + 1}`}
              className="thumb"
            />
          </button>
        ))}
      </div>
      {note && <p className="muted note">{note}</p>}
      {neighbours && (
        <>
          <NeighbourRow
            title={`Trained target encoder, step ${neighbours.step} (cosine similarity of mean-centred features; the image itself first)`}
            testId="neighbours-trained"
            list={neighbours.trained}
            side={neighbours.side}
            queryLabel={queryLabel}
          />
          <NeighbourRow
            title={`Random-init encoder of the same shape · both lists found in ${neighbours.ms.toFixed(1)} ms`}
            testId="neighbours-random"
            list={neighbours.random}
            side={neighbours.side}
            queryLabel={queryLabel}
          />
        </>
      )}
    </div>
  );
}
