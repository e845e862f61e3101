// "What did it learn?": the embedding map of the held-out images and the nearest neighbours of any
// image, both from the features the newest evaluation computed (no pass of their own).
import { EmbeddingMapView } from './EmbeddingMapView';
import { NeighboursView } from './NeighboursView';

export function LearnedPanel() {
  return (
    <section className="panel learned-panel" aria-labelledby="learned-heading">
      <h2 id="learned-heading">What the encoder learned</h2>
      <div className="learned-grid">
        <div>
          <h3>Embedding map</h3>
          <EmbeddingMapView />
        </div>
        <div>
          <h3>Nearest neighbours</h3>
          <NeighboursView />
        </div>
      </div>
    </section>
  );
}
