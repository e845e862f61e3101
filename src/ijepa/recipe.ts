// Which settings a run trains with. Two recipes:
// - `reference`: the released configs' optimisation and augmentation as they are (docs/IJEPA_SPEC.md
//   section 3), over the preset's planned steps: what the reference trainer would do.
// - `browser` (the page's default): the same algorithm, with the settings that the learning study
//   (docs/LEARNING.md, bench/results/learning.md) found to learn on a few
//   thousand real digits in the minutes a browser trains (not yet on the procedural patterns: see
//   there), chosen by rules that any folder gets alike:
//   the run is planned to the time the page budgets for it at the speed it measured, and the rest
//   follows from the model's and the batch's sizes, never from which images they are.
import { warmupFor, type IJepaConfig } from './config';

export type RecipeName = 'browser' | 'reference';
export const RECIPES: readonly RecipeName[] = ['browser', 'reference'];

/** A default run is planned to fill this much training time at the measured speed. */
export const PLANNED_MINUTES = 10;
const MIN_PLANNED_STEPS = 500;
const MAX_PREDICTOR_WIDTH = 384; // the paper's predictor width
const MIN_PREDICTOR_DEPTH = 3;
const REFERENCE_BATCH = 2048; // the released configs' images a step (128 on each of 16 GPUs), for their lr 1e-3

/** What a recipe may look at: the steps per second measured here for the model it trains
 *  (`browserModel` of the preset: the startup measurement times that model, not the bare preset). */
export interface RecipeContext {
  stepsPerSec: number | null; // null: not measured (the preset's planned length stays)
}

/** The model the browser recipe trains from a preset: what the startup measurement times, so that a
 *  run is planned from the speed of its own steps. A predictor as wide as the encoder (and at least
 *  three blocks): the presets' narrow ones (half the width, as the paper's ViT-H predictor) cannot
 *  model the targets at these widths, and the encoder then simplifies its features toward what the
 *  predictor can guess. (Six blocks cost 1.6x a step and gained on one set of four: docs/LEARNING.md.) */
export function browserModel(base: IJepaConfig): IJepaConfig {
  return {
    ...base,
    predEmbedDim: Math.max(base.predEmbedDim, Math.min(base.embedDim, MAX_PREDICTOR_WIDTH)),
    predDepth: Math.max(base.predDepth, MIN_PREDICTOR_DEPTH),
  };
}

/** The browser recipe's settings, with the measured reason for each (docs/LEARNING.md). */
export function browserSettings(base: IJepaConfig, context: RecipeContext): Partial<IJepaConfig> {
  const { predEmbedDim, predDepth } = browserModel(base);
  // Planned from the speed measured for this very model. (Scaling the bare preset's speed by the
  // wider predictor's FLOPs under-planned every run whose step is kernel launches more than
  // arithmetic: micro on WASM ran its "10-minute" plan in 3 minutes.)
  const { stepsPerSec } = context;
  const totalSteps = stepsPerSec === null ? base.totalSteps : Math.max(MIN_PLANNED_STEPS, Math.round(stepsPerSec * PLANNED_MINUTES * 60));
  // The reference's peak lr is for 2,048 images a step; at a browser's 8-64 a step it drives the
  // representation into collapse after the first gains: scale it down with the square root of the
  // batch, from the released batch (at 64 images a step and an 810-step plan, the lr of a 640-image
  // batch gained and then lost most of it on Fashion-MNIST: docs/LEARNING.md).
  const lr = 1e-3 * Math.min(1, Math.sqrt(base.batchSize / REFERENCE_BATCH));
  return {
    predEmbedDim,
    predDepth,
    totalSteps,
    warmupSteps: warmupFor(totalSteps),
    lr,
    startLr: lr / 5, // the reference's start / peak ratio (2e-4 / 1e-3)
    cropScale: [0.2, 1.0], // a stronger RandomResizedCrop: a few thousand images are seen many times
  };
}

/** `base` (a preset, or the user's settings) under a recipe. */
export function recipeConfig(base: IJepaConfig, recipe: RecipeName, context: RecipeContext): IJepaConfig {
  return recipe === 'browser' ? { ...base, ...browserSettings(base, context) } : base;
}
