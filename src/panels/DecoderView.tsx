// What the predictor imagines, in pixels (issue 25): under the predictor's view and following the same
// scrubber, for the first image of the step shown, each target block as true pixels, as the pixel
// decoder reads the target features and as it reads the predictor's output (./drawDecoded.ts), the
// PSNR of both, and both over the steps. The decoder is a probe beside the run (src/ijepa/pixelDecoder.ts).
import { useAppStore } from '../store/appStore';
import { runHistory } from '../store/metrics';
import { actions } from '../store/trainerConnection';
import type { MaskRecord } from '../worker/protocol';
import { emptyBlockView, useBlockView, type BlockView } from './blockViewCanvas';
import { DECODED_COLUMNS, drawDecoded } from './drawDecoded';
import { TARGET_COLOURS } from './maskGeometry';
import { axis, UPlotChart } from './UPlotChart';

/** What the view shows now (read by the test hook), and how the mask panel asks it to draw. */
export const decoderPanelView: BlockView = emptyBlockView();

function PsnrChart() {
  return (
    <UPlotChart
      testId="decoder-chart"
      title="PSNR of the decoded blocks"
      xLabel="step"
      height={160}
      optionsKey="decoder-psnr"
      version={() => runHistory.version}
      formatValue={(v) => `${v.toFixed(1)} dB`}
      options={(_, theme) => ({
        scales: { x: { time: false } },
        axes: [axis(theme, { label: 'step' }), axis(theme, { size: 50, label: 'dB' })],
        series: [
          { label: 'step' },
          { label: 'representation keeps', stroke: theme.accent, width: 2, points: { show: false } },
          { label: 'predictor imagines', stroke: '#e69f00', width: 2, points: { show: false } },
        ],
      })}
      data={() => {
        const { step, keeps, imagines } = runHistory.decoded;
        return [Array.from(step.values()), Array.from(keeps.values()), Array.from(imagines.values())];
      }}
    />
  );
}

const decodedOf = (record: MaskRecord) => record.decoded;

export function DecoderView({ record }: { record: MaskRecord | null }) {
  const { container, canvas } = useBlockView(decoderPanelView, decodedOf, drawDecoded);
  const on = useAppStore((s) => s.decoderView);
  const pixelTargets = useAppStore((s) => s.config.predictionTarget === 'pixels');

  const decoded = on ? record?.decoded : undefined;
  const why = !on
    ? 'The pixel decoder is off.'
    : pixelTargets
      ? 'This run predicts pixels: the predictor’s view above shows them as they are, with no decoder.'
      : 'The first image of each trained batch shows here once the decoder runs: its target blocks decoded back to pixels.';
  return (
    <div className="prediction-view" data-testid="decoder-view">
      <h3>What the predictor imagines, in pixels</h3>
      <label className="row">
        <input type="checkbox" data-testid="decoder-switch" checked={on} onChange={(e) => void actions.setDecoderView(e.target.checked)} />{' '}
        Pixel decoder (a probe trained beside the run)
      </label>
      {!decoded && <p className="muted">{why}</p>}
      <div ref={container} className="prediction-box" hidden={!decoded}>
        <div className="prediction-columns muted" aria-hidden="true">
          {DECODED_COLUMNS.map((c) => (
            <span key={c}>{c}</span>
          ))}
        </div>
        <canvas
          ref={canvas}
          data-testid="decoder-canvas"
          role="img"
          aria-label={decoded ? `Step ${record!.step}: true pixels and the two decodings of ${decoded.numTargets} blocks` : ''}
        />
      </div>
      {decoded && (
        <p className="muted note" data-testid="decoder-caption">
          Image 1 of step {record!.step}, each row one target block ({decoded.tokens} patches). PSNR against the true pixels, what the
          representation keeps / what the predictor imagines:{' '}
          {Array.from(decoded.psnrTargets, (keeps, j) => (
            <span key={j} className="block-loss">
              <i style={{ background: TARGET_COLOURS[j % TARGET_COLOURS.length] }} aria-hidden="true" />
              {keeps.toFixed(1)} / {decoded.psnrPredicted[j].toFixed(1)} dB{' '}
            </span>
          ))}
          {decoded.decoderLoss !== null && `· decoder loss ${decoded.decoderLoss.toFixed(3)} (both heads)`}. The decoder has two heads, each
          mapping a patch&apos;s features to its pixels: one learns from the target features (what the representation keeps), the other, as
          the paper&apos;s decoder, from the predictor&apos;s output for hidden patches (layer-normed, as the targets are). Both learn from
          the batches the run trains on (every fourth step); no gradient from them reaches the encoder, the predictor or the target encoder.
          It is a probe of the representation, not part of I-JEPA, and deterministic: it draws the average guess, blurred where the
          prediction is unsure (the paper&apos;s generative decoder draws samples instead, hence their varied detail).
        </p>
      )}
      {on && !pixelTargets && <PsnrChart />}
    </div>
  );
}
