// One typed config for a run: the reference's names in camelCase, presets, and validation.
// Total planned steps (`totalSteps`) drive every schedule (lr, wd, momentum).

export type LossKind = 'smoothL1' | 'mse';
export type Range = readonly [number, number];

export interface IJepaConfig {
  // data
  cropSize: number; // training image side in px (crop_size)
  patchSize: number; // ViT patch side in px (patch_size)
  randomResizedCrop: boolean; // the reference's RandomResizedCrop augmentation
  cropScale: Range; // RandomResizedCrop area scale (reference: 0.3-1.0)
  // encoder (ViT) and predictor
  embedDim: number; // encoder width D
  depth: number; // encoder blocks
  numHeads: number; // heads in encoder AND predictor (as the reference)
  mlpRatio: number; // MLP hidden = mlpRatio * width
  predEmbedDim: number; // predictor width Dp (pred_emb_dim)
  predDepth: number; // predictor blocks (pred_depth)
  // multi-block masks
  encMaskScale: Range; // context block area fraction (enc_mask_scale)
  predMaskScale: Range; // each target block's area fraction (pred_mask_scale)
  aspectRatio: Range; // target block aspect ratio h/w (aspect_ratio)
  numEncMasks: number; // context blocks (nenc); this engine supports 1
  numPredMasks: number; // target blocks per image (npred)
  minKeep: number; // a mask needs MORE than this many patches (min_keep)
  allowOverlap: boolean; // may the context overlap the targets (allow_overlap)
  // optimisation
  batchSize: number;
  totalSteps: number; // planned length of the run: every schedule is laid over it
  warmupSteps: number; // linear lr warm-up length (warmup, in steps)
  startLr: number; // lr at step 0 (start_lr)
  lr: number; // peak lr after warm-up (lr)
  finalLr: number; // lr at the end of the cosine (final_lr)
  weightDecay: number; // wd at step 0 (weight_decay)
  finalWeightDecay: number; // wd at the end (final_weight_decay)
  ema: Range; // target-encoder momentum, linear from ema[0] to ema[1] (ema)
  loss: LossKind; // smooth-L1 (the code's choice) or MSE (the paper's L2)
  seed: number; // seeds init, masks and crops: same seed, same run
}

export type PresetName = 'micro' | 'tiny' | 'small';

const shared: Omit<IJepaConfig, 'cropSize' | 'patchSize' | 'embedDim' | 'depth' | 'numHeads' |
  'predEmbedDim' | 'predDepth' | 'minKeep' | 'batchSize' | 'totalSteps' | 'warmupSteps'> = {
  randomResizedCrop: true,
  cropScale: [0.3, 1.0],
  mlpRatio: 4,
  encMaskScale: [0.85, 1.0],
  predMaskScale: [0.15, 0.2],
  aspectRatio: [0.75, 1.5],
  numEncMasks: 1,
  numPredMasks: 4,
  allowOverlap: false,
  startLr: 2e-4,
  lr: 1e-3,
  finalLr: 1e-6,
  weightDecay: 0.04,
  finalWeightDecay: 0.4,
  ema: [0.996, 1.0],
  loss: 'smoothL1',
  seed: 0,
};

/** Warm-up as the released configs: 40 of 300 epochs. */
export const warmupFor = (totalSteps: number) => Math.round((totalSteps * 40) / 300);

export const PRESETS: Record<PresetName, IJepaConfig> = {
  // Tests and CI: 32 px, 8x8 grid, tiny widths; a step takes milliseconds on the CPU backend.
  micro: {
    ...shared, cropSize: 32, patchSize: 4, embedDim: 32, depth: 2, numHeads: 2,
    predEmbedDim: 16, predDepth: 1, minKeep: 4, batchSize: 8, totalSteps: 2000, warmupSteps: warmupFor(2000),
  },
  // Default for a laptop GPU: the ~200k-parameter encoder of IJEPA_SPEC.md section 4's healthy run.
  tiny: {
    ...shared, cropSize: 32, patchSize: 4, embedDim: 64, depth: 4, numHeads: 4,
    predEmbedDim: 32, predDepth: 2, minKeep: 4, batchSize: 64, totalSteps: 4000, warmupSteps: warmupFor(4000),
  },
  // 16x16 grid: the closest to the paper's mask statistics (its 14x14 / 16x16 grids).
  small: {
    ...shared, cropSize: 64, patchSize: 4, embedDim: 192, depth: 6, numHeads: 6,
    predEmbedDim: 96, predDepth: 4, minKeep: 10, batchSize: 32, totalSteps: 10000, warmupSteps: warmupFor(10000),
  },
};

export function presetConfig(name: PresetName, overrides: Partial<IJepaConfig> = {}): IJepaConfig {
  return { ...PRESETS[name], ...overrides };
}

/** Patch grid side (H = W = cropSize / patchSize) and token count N. */
export function gridSize(config: IJepaConfig): number {
  return config.cropSize / config.patchSize;
}
export function numPatches(config: IJepaConfig): number {
  return gridSize(config) ** 2;
}
