// The predictor's view, under the masks and following their scrubber: for the first image of the
// step shown, each target block as the target encoder saw it, the predictor's guess from the context,
// and the error per patch (./drawPrediction.ts). Drawn in the mask panel's animation frame.
import type { MaskRecord } from '../worker/protocol';
import { emptyBlockView, useBlockView, type BlockView } from './blockViewCanvas';
import { blockErrors, drawPrediction, PREDICTION_COLUMNS } from './drawPrediction';
import { TARGET_COLOURS } from './maskGeometry';

/** What the view shows now (read by the test hook), and how the mask panel asks it to draw. */
export const predictionPanelView: BlockView = emptyBlockView();

const predictionOf = (record: MaskRecord) => record.prediction;

export function PredictionView({ record }: { record: MaskRecord | null }) {
  const { container, canvas } = useBlockView(predictionPanelView, predictionOf, drawPrediction);

  const prediction = record?.prediction;
  const errors = prediction ? blockErrors(prediction) : [];
  return (
    <div className="prediction-view" data-testid="prediction-view">
      <h3>What the predictor saw and guessed</h3>
      {!prediction && (
        <p className="muted">The first image of each trained batch shows here: its target blocks and the predictor&apos;s guesses.</p>
      )}
      <div ref={container} className="prediction-box" hidden={!prediction}>
        <div className="prediction-columns muted" aria-hidden="true">
          {PREDICTION_COLUMNS.map((c) => (
            <span key={c}>{c === 'target features' && prediction?.target === 'pixels' ? 'target pixels' : c}</span>
          ))}
        </div>
        <canvas
          ref={canvas}
          data-testid="prediction-canvas"
          role="img"
          aria-label={prediction ? `Step ${record!.step}: target features, predictions and error of ${prediction.numTargets} blocks` : ''}
        />
      </div>
      {prediction && (
        <p className="muted note" data-testid="prediction-caption">
          Image 1 of step {record!.step}. Each row is one target block ({prediction.tokens} patches, the rest of the grid dark):{' '}
          {prediction.target === 'pixels'
            ? 'the patches’ own pixels, normalised per patch (the pixel-target ablation),'
            : 'the target encoder’s features'}{' '}
          and the predictor&apos;s output, both through the top 3 principal directions of this step&apos;s targets as RGB (same colour, good
          guess), and the loss per patch, from black to yellow at the cost of predicting zeros ({prediction.errorOfZeros.toFixed(3)}). Block
          loss:{' '}
          {errors.map((e, j) => (
            <span key={j} className="block-loss">
              {/* the block's colour as a swatch: coloured digits would be too faint to read on the panel */}
              <i style={{ background: TARGET_COLOURS[j % TARGET_COLOURS.length] }} aria-hidden="true" />
              {e.toFixed(3)}{' '}
            </span>
          ))}
          · projected in {prediction.computeMs.toFixed(1)} ms
        </p>
      )}
    </div>
  );
}
