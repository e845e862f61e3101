import { describe, expect, it } from 'vitest';
import { presetConfig, PRESETS, warmupFor } from './config';
import { browserModel, PLANNED_MINUTES, recipeConfig } from './recipe';
import { validateConfig } from './validate';

describe('recipes', () => {
  it('reference: the preset exactly as released (what the golden parity test trains)', () => {
    for (const preset of Object.values(PRESETS)) expect(recipeConfig(preset, 'reference', { stepsPerSec: 3 })).toEqual(preset);
  });

  it('browser: planned to the budgeted minutes at the measured speed, lr scaled to the batch, stronger crops', () => {
    const tiny = recipeConfig(presetConfig('tiny'), 'browser', { stepsPerSec: 2.5 });
    // the speed measured for the model it trains (browserModel): the plan fills the minutes exactly
    expect(tiny.totalSteps).toBe(2.5 * PLANNED_MINUTES * 60);
    expect(tiny.warmupSteps).toBe(warmupFor(tiny.totalSteps));
    expect(tiny.lr).toBeCloseTo(1e-3 * Math.sqrt(64 / 2048), 12);
    expect(tiny.startLr).toBeCloseTo(tiny.lr / 5, 12);
    expect(tiny.cropScale).toEqual([0.2, 1]);
    // a predictor as wide as the encoder, at least three blocks deep
    expect([tiny.predEmbedDim, tiny.predDepth]).toEqual([64, 3]);
    // the model the startup measurement times is the one trained
    expect(browserModel(presetConfig('tiny'))).toEqual({ ...presetConfig('tiny'), predEmbedDim: 64, predDepth: 3 });
    const micro = recipeConfig(presetConfig('micro'), 'browser', { stepsPerSec: 8 });
    expect([micro.predEmbedDim, micro.predDepth]).toEqual([32, 3]);
    const vitTiny = recipeConfig(presetConfig('vit_tiny'), 'browser', { stepsPerSec: 8 });
    expect([vitTiny.predEmbedDim, vitTiny.predDepth]).toEqual([192, Math.max(3, PRESETS.vit_tiny.predDepth)]);
    // the encoder, the masks, the EMA plan and the loss are the reference's
    for (const key of ['embedDim', 'depth', 'predMaskScale', 'encMaskScale', 'ema', 'loss', 'batchSize'] as const)
      expect(tiny[key]).toEqual(PRESETS.tiny[key]);
    for (const preset of Object.values(PRESETS)) expect(validateConfig(recipeConfig(preset, 'browser', { stepsPerSec: 2 }))).toEqual([]);
    // a smaller batch, a smaller lr; a reference-sized batch keeps the reference's
    expect(micro.lr).toBeLessThan(tiny.lr);
    expect(recipeConfig(presetConfig('tiny', { batchSize: 2048 }), 'browser', { stepsPerSec: 1 }).lr).toBe(1e-3);
  });

  it('browser: keeps the preset length when the speed is unknown, and never plans a run too short to learn', () => {
    expect(recipeConfig(presetConfig('tiny'), 'browser', { stepsPerSec: null }).totalSteps).toBe(PRESETS.tiny.totalSteps);
    expect(recipeConfig(presetConfig('small'), 'browser', { stepsPerSec: 0.1 }).totalSteps).toBe(500);
  });
});
