// The predictor's view of one step, for the panel beside the masks: one image's target blocks as the
// target encoder sees them and the predictor's guesses for the same patches, both drawn through ONE
// projection (the top 3 principal directions of that step's target features, as RGB), and the loss
// per patch. The directions carry over from step to step (a warm start: a few iterations suffice,
// and colours stay steady while the features move slowly).
import { targetWidth, type IJepaConfig } from '../../ijepa/config';
import { componentRanges, componentsToRgb, projectRows, topDirections } from '../../ijepa/pca';
import type { BlockFeatures } from '../../ijepa/trainStep';
import type { PredictionRecord } from '../protocol';

const ITERATIONS_WARM = 4;
const ITERATIONS_COLD = 20;

export class PredictorSnapshots {
  private directions: Float64Array | undefined;

  reset(): void {
    this.directions = undefined;
  }

  /** The record of one step's blocks ([npred, Kt, D] each) of batch image `image`. */
  view(blocks: BlockFeatures<Float32Array>, numTargets: number, config: IJepaConfig, image: number): PredictionRecord {
    const started = performance.now();
    const D = targetWidth(config); // the encoder's width, or a patch's pixels (pixel targets)
    const rows = blocks.targets.length / D; // npred * Kt
    const iterations = this.directions ? ITERATIONS_WARM : ITERATIONS_COLD;
    const { mean, directions } = topDirections(blocks.targets, rows, D, 3, iterations, this.directions);
    this.directions = directions;
    const targets = projectRows(blocks.targets, rows, D, mean, directions); // [rows, 3]
    const predicted = projectRows(blocks.predicted, rows, D, mean, directions);
    const ranges = componentRanges(targets, rows);
    const record = {
      image,
      target: config.predictionTarget,
      numTargets,
      tokens: rows / numTargets,
      targetRgb: componentsToRgb(targets, rows, 3, ranges),
      predictedRgb: componentsToRgb(predicted, rows, 3, ranges),
      error: patchLoss(blocks, rows, D, config.loss),
      errorOfZeros: meanOf(
        patchLoss({ targets: blocks.targets, predicted: new Float32Array(blocks.targets.length) }, rows, D, config.loss),
      ),
    };
    return { ...record, computeMs: performance.now() - started };
  }
}

const meanOf = (values: Float32Array) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

/** The training loss of every predicted patch (mean over its features). The targets are layer-normed
 *  per patch, so predicting zeros costs about 1 (MSE) or 0.4 (smooth-L1): the page scales by that. */
export function patchLoss(blocks: BlockFeatures<Float32Array>, rows: number, dim: number, kind: IJepaConfig['loss']): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      const diff = Math.abs(blocks.predicted[r * dim + d] - blocks.targets[r * dim + d]);
      sum += kind === 'mse' ? diff * diff : diff < 1 ? 0.5 * diff * diff : diff - 0.5;
    }
    out[r] = sum / dim;
  }
  return out;
}
