// Config validation: every impossible combination gets a message a person can act on.
import { gridSize, MASK_STRATEGIES, PREDICTION_TARGETS, type IJepaConfig, type Range } from './config';
import { blockAreaRange } from './masks';

const isPositiveInt = (x: number) => Number.isInteger(x) && x > 0;

function checkRange(errors: string[], name: string, [lo, hi]: Range, min: number, max: number): void {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || lo > hi || lo < min || hi > max) {
    errors.push(`${name} must be a range [lo, hi] with ${min} <= lo <= hi <= ${max} (got [${lo}, ${hi}])`);
  }
}

/** All problems with a config, as sentences; empty when the config can run. */
export function validateConfig(c: IJepaConfig): string[] {
  const errors: string[] = [];
  const ints: (keyof IJepaConfig)[] = [
    'cropSize',
    'patchSize',
    'embedDim',
    'depth',
    'numHeads',
    'predEmbedDim',
    'predDepth',
    'mlpRatio',
    'numPredMasks',
    'batchSize',
    'totalSteps',
  ];
  for (const key of ints) {
    if (!isPositiveInt(c[key] as number)) errors.push(`${key} must be a positive integer (got ${c[key]})`);
  }
  if (errors.length > 0) return errors; // the checks below divide by these

  if (c.cropSize % c.patchSize !== 0) {
    errors.push(`image size ${c.cropSize} px is not divisible by the patch size ${c.patchSize} px`);
  }
  const grid = Math.floor(gridSize(c));
  if (grid < 3) errors.push(`the patch grid is ${grid}x${grid}; masks need at least 3x3 (smaller patches or larger images)`);
  for (const [name, width] of [
    ['embedDim', c.embedDim],
    ['predEmbedDim', c.predEmbedDim],
  ] as const) {
    if (width % c.numHeads !== 0) errors.push(`${name} ${width} is not divisible by numHeads ${c.numHeads}`);
    if (width % 4 !== 0) errors.push(`${name} ${width} must be a multiple of 4 (2-D sin-cos position embedding)`);
  }
  if (!(c.posEmbedScale > 0 && c.posEmbedScale <= 1))
    errors.push(`posEmbedScale must be in (0, 1]: the position code's weight in every token (got ${c.posEmbedScale})`);
  if (c.numEncMasks !== 1) errors.push(`numEncMasks must be 1 (every released config uses one context block)`);

  checkRange(errors, 'encMaskScale', c.encMaskScale, 0, 1);
  checkRange(errors, 'predMaskScale', c.predMaskScale, 0, 1);
  checkRange(errors, 'aspectRatio', c.aspectRatio, 0.01, 100);
  checkRange(errors, 'cropScale', c.cropScale, 0.01, 1);
  checkRange(errors, 'ema', c.ema, 0, 1);
  if (!Number.isInteger(c.minKeep) || c.minKeep < 0) errors.push(`minKeep must be a non-negative integer (got ${c.minKeep})`);

  if (errors.length === 0) {
    const target = blockAreaRange(c.predMaskScale, c.aspectRatio, grid);
    if (c.minKeep >= target.min) {
      errors.push(
        `minKeep ${c.minKeep} must be smaller than the smallest target block (${target.min} patches on a ` +
          `${grid}x${grid} grid), or mask sampling never ends`,
      );
    }
    const context = blockAreaRange(c.encMaskScale, [1, 1], grid);
    if (c.minKeep >= context.min) {
      errors.push(`minKeep ${c.minKeep} must be smaller than the smallest context block (${context.min} patches)`);
    }
  }

  if (!Number.isInteger(c.warmupSteps) || c.warmupSteps < 0 || c.warmupSteps >= c.totalSteps) {
    errors.push(`warmupSteps must be an integer in [0, totalSteps) (got ${c.warmupSteps} of ${c.totalSteps})`);
  }
  for (const key of ['startLr', 'lr', 'finalLr', 'weightDecay', 'finalWeightDecay'] as const) {
    if (!Number.isFinite(c[key]) || c[key] < 0) errors.push(`${key} must be a finite number >= 0 (got ${c[key]})`);
  }
  if (!MASK_STRATEGIES.includes(c.maskStrategy))
    errors.push(`maskStrategy must be one of ${MASK_STRATEGIES.join(', ')} (got ${String(c.maskStrategy)})`);
  if (!PREDICTION_TARGETS.includes(c.predictionTarget))
    errors.push(`predictionTarget must be one of ${PREDICTION_TARGETS.join(', ')} (got ${String(c.predictionTarget)})`);
  if (c.loss !== 'smoothL1' && c.loss !== 'mse') errors.push(`loss must be 'smoothL1' or 'mse' (got ${String(c.loss)})`);
  if (!Number.isInteger(c.seed)) errors.push(`seed must be an integer (got ${c.seed})`);
  return errors;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid I-JEPA config: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function assertValidConfig(config: IJepaConfig): void {
  const problems = validateConfig(config);
  if (problems.length > 0) throw new ConfigError(problems);
}
