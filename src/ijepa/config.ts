// One typed config for a run: the reference's names in camelCase, presets, and validation.
// Total planned steps (`totalSteps`) drive every schedule (lr, wd, momentum).

export type LossKind = 'smoothL1' | 'mse';
/** How context and targets are drawn: the paper's multi-block, or one of the strategies its masking
 *  ablation compared it with (./ablationMasks.ts). */
export type MaskStrategy = 'multiblock' | 'rasterized' | 'block' | 'random';
export const MASK_STRATEGIES: readonly MaskStrategy[] = ['multiblock', 'rasterized', 'block', 'random'];
/** What the predictor predicts: the target encoder's representations (I-JEPA), or the target patches'
 *  own pixels, normalised per patch (the paper's pixel-target ablation). */
export type PredictionTarget = 'representations' | 'pixels';
export const PREDICTION_TARGETS: readonly PredictionTarget[] = ['representations', 'pixels'];
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
  posEmbedScale: number; // the encoder's sin-cos position code times this (1: the reference's; docs/LEARNING.md)
  predEmbedDim: number; // predictor width Dp (pred_emb_dim)
  predDepth: number; // predictor blocks (pred_depth)
  // masks
  maskStrategy: MaskStrategy; // multi-block (the paper's), or an ablation's; the settings below are multi-block's
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
  predictionTarget: PredictionTarget; // representations (I-JEPA) or pixels (the paper's ablation)
  seed: number; // seeds init, masks and crops: same seed, same run
}

export type PresetName = 'micro' | 'tiny' | 'small' | 'vit_tiny';

const shared: Omit<
  IJepaConfig,
  | 'cropSize'
  | 'patchSize'
  | 'embedDim'
  | 'depth'
  | 'numHeads'
  | 'predEmbedDim'
  | 'predDepth'
  | 'minKeep'
  | 'batchSize'
  | 'totalSteps'
  | 'warmupSteps'
> = {
  randomResizedCrop: true,
  cropScale: [0.3, 1.0],
  mlpRatio: 4,
  posEmbedScale: 1,
  maskStrategy: 'multiblock',
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
  predictionTarget: 'representations',
  seed: 0,
};

/** Warm-up as the released configs: 40 of 300 epochs. */
export const warmupFor = (totalSteps: number) => Math.round((totalSteps * 40) / 300);

export const PRESETS: Record<PresetName, IJepaConfig> = {
  // Tests and CI: 32 px, 8x8 grid, tiny widths; a step takes milliseconds on the CPU backend.
  micro: {
    ...shared,
    cropSize: 32,
    patchSize: 4,
    embedDim: 32,
    depth: 2,
    numHeads: 2,
    predEmbedDim: 16,
    predDepth: 1,
    minKeep: 4,
    batchSize: 8,
    totalSteps: 2000,
    warmupSteps: warmupFor(2000),
  },
  // Default for a laptop GPU: the ~200k-parameter encoder of docs/IJEPA_SPEC.md section 4's healthy run.
  tiny: {
    ...shared,
    cropSize: 32,
    patchSize: 4,
    embedDim: 64,
    depth: 4,
    numHeads: 4,
    predEmbedDim: 32,
    predDepth: 2,
    minKeep: 4,
    batchSize: 64,
    totalSteps: 4000,
    warmupSteps: warmupFor(4000),
  },
  // 16x16 grid: the closest to the paper's mask statistics (its 14x14 / 16x16 grids).
  small: {
    ...shared,
    cropSize: 64,
    patchSize: 4,
    embedDim: 192,
    depth: 6,
    numHeads: 6,
    predEmbedDim: 96,
    predDepth: 4,
    minKeep: 10,
    batchSize: 32,
    totalSteps: 10000,
    warmupSteps: warmupFor(10000),
  },
  // The reference's vit_tiny exactly (192 wide, 12 blocks, 3 heads), so a run continues in the
  // reference trainer with nothing approximated. Patch 8 at 64 px: the 8x8 grid of micro and tiny
  // (whose mask statistics the learning test checks), 48 GFLOP a step, a third of small's; the
  // paper's 16 px patches at 224 px would be 3x the tokens (196) and ~4x the FLOPs.
  vit_tiny: {
    ...shared,
    cropSize: 64,
    patchSize: 8,
    embedDim: 192,
    depth: 12,
    numHeads: 3,
    predEmbedDim: 96,
    predDepth: 4,
    minKeep: 4,
    batchSize: 32,
    totalSteps: 10000,
    warmupSteps: warmupFor(10000),
  },
};

/** Where a field goes in the reference trainer's YAML: its section and key there (the reference key
 *  by default); fields the YAML has no key for are null (the export writes those as comments). */
type YamlPlace = { section: 'data' | 'mask' | 'meta' | 'optimization'; key?: string } | null;

/** How the settings form shows a field (absent: not editable on the page; the numbers and ranges go in
 *  the form's groups, the choices have their own controls above it). */
interface FormPlace {
  group: 'Images and model' | 'Optimisation' | 'Masks and crops';
  label: string;
  step?: number; // number inputs
}

interface FieldSpec {
  ref: string; // the reference's key (checkpoint metadata, YAML)
  yaml: YamlPlace;
  form?: FormPlace;
}

/** Every config field once: its reference key, its place in the reference YAML, its place in the
 *  settings form. The checkpoint metadata, the YAML export and the form are derived from this table,
 *  and the mapped type makes a new field without an entry a type error. */
export const CONFIG_FIELDS: { readonly [K in keyof IJepaConfig]: FieldSpec } = {
  cropSize: { ref: 'crop_size', yaml: { section: 'data' }, form: { group: 'Images and model', label: 'Image size (px)', step: 1 } },
  patchSize: { ref: 'patch_size', yaml: { section: 'mask' }, form: { group: 'Images and model', label: 'Patch (px)', step: 1 } },
  randomResizedCrop: { ref: 'random_resized_crop', yaml: null, form: { group: 'Masks and crops', label: 'RandomResizedCrop' } },
  cropScale: { ref: 'crop_scale', yaml: { section: 'data' }, form: { group: 'Masks and crops', label: 'Crop scale' } },
  embedDim: { ref: 'embed_dim', yaml: null, form: { group: 'Images and model', label: 'Encoder width', step: 1 } },
  depth: { ref: 'depth', yaml: null, form: { group: 'Images and model', label: 'Encoder depth', step: 1 } },
  numHeads: { ref: 'num_heads', yaml: null, form: { group: 'Images and model', label: 'Heads', step: 1 } },
  mlpRatio: { ref: 'mlp_ratio', yaml: null },
  // the reference has no such setting: its table (a parameter there) is the scaled one in an exported checkpoint
  posEmbedScale: {
    ref: 'pos_embed_scale',
    yaml: null,
    form: { group: 'Images and model', label: 'Position code scale', step: 0.05 },
  },
  predEmbedDim: { ref: 'pred_emb_dim', yaml: { section: 'meta' }, form: { group: 'Images and model', label: 'Predictor width', step: 1 } },
  predDepth: { ref: 'pred_depth', yaml: { section: 'meta' }, form: { group: 'Images and model', label: 'Predictor depth', step: 1 } },
  maskStrategy: { ref: 'mask_strategy', yaml: null, form: { group: 'Masks and crops', label: 'Masks' } }, // the reference draws multi-block only
  encMaskScale: { ref: 'enc_mask_scale', yaml: { section: 'mask' }, form: { group: 'Masks and crops', label: 'Context scale' } },
  predMaskScale: { ref: 'pred_mask_scale', yaml: { section: 'mask' }, form: { group: 'Masks and crops', label: 'Target scale' } },
  aspectRatio: { ref: 'aspect_ratio', yaml: { section: 'mask' }, form: { group: 'Masks and crops', label: 'Target aspect' } },
  numEncMasks: { ref: 'num_enc_masks', yaml: { section: 'mask' } },
  numPredMasks: { ref: 'num_pred_masks', yaml: { section: 'mask' } },
  minKeep: { ref: 'min_keep', yaml: { section: 'mask' }, form: { group: 'Masks and crops', label: 'Min keep', step: 1 } },
  allowOverlap: { ref: 'allow_overlap', yaml: { section: 'mask' } },
  batchSize: { ref: 'batch_size', yaml: { section: 'data' }, form: { group: 'Optimisation', label: 'Batch size', step: 1 } },
  totalSteps: { ref: 'total_steps', yaml: null, form: { group: 'Optimisation', label: 'Planned steps', step: 1 } }, // YAML: epochs
  warmupSteps: { ref: 'warmup_steps', yaml: null, form: { group: 'Optimisation', label: 'Warm-up steps', step: 1 } }, // YAML: warmup, in epochs
  startLr: { ref: 'start_lr', yaml: { section: 'optimization' }, form: { group: 'Optimisation', label: 'Start lr', step: 1e-4 } },
  lr: { ref: 'lr', yaml: { section: 'optimization' }, form: { group: 'Optimisation', label: 'Peak lr', step: 1e-4 } },
  finalLr: { ref: 'final_lr', yaml: { section: 'optimization' }, form: { group: 'Optimisation', label: 'Final lr', step: 1e-6 } },
  weightDecay: {
    ref: 'weight_decay',
    yaml: { section: 'optimization' },
    form: { group: 'Optimisation', label: 'Weight decay (start)', step: 0.01 },
  },
  finalWeightDecay: {
    ref: 'final_weight_decay',
    yaml: { section: 'optimization' },
    form: { group: 'Optimisation', label: 'Weight decay (end)', step: 0.01 },
  },
  ema: { ref: 'ema', yaml: { section: 'optimization' }, form: { group: 'Optimisation', label: 'EMA momentum' } },
  loss: { ref: 'loss', yaml: null, form: { group: 'Optimisation', label: 'Loss' } },
  predictionTarget: { ref: 'pred_target', yaml: null, form: { group: 'Optimisation', label: 'Predict' } }, // the reference predicts representations only
  seed: { ref: 'seed', yaml: null, form: { group: 'Optimisation', label: 'Seed', step: 1 } },
};

export const CONFIG_KEYS = Object.keys(CONFIG_FIELDS) as (keyof IJepaConfig)[];

/** The config under the reference's key names (checkpoint metadata). */
export function referenceConfig(c: IJepaConfig): Record<string, unknown> {
  return Object.fromEntries(CONFIG_KEYS.map((key) => [CONFIG_FIELDS[key].ref, c[key]]));
}

/** A config from reference-named keys laid over `base` (keys not given keep base's values). */
export function configFromReference(ref: Record<string, unknown>, base: IJepaConfig): IJepaConfig {
  const config: Record<string, unknown> = { ...base };
  for (const key of CONFIG_KEYS) if (ref[CONFIG_FIELDS[key].ref] !== undefined) config[key] = ref[CONFIG_FIELDS[key].ref];
  return config as unknown as IJepaConfig;
}

/** Fields added after the first checkpoints and saved runs, at the value those were trained with. */
const ADDED_LATER: Pick<IJepaConfig, 'maskStrategy' | 'predictionTarget' | 'posEmbedScale'> = {
  maskStrategy: 'multiblock',
  predictionTarget: 'representations',
  posEmbedScale: 1,
};

/** A config read back from a checkpoint or a saved run, with the fields it predates filled in. */
export function storedConfig(stored: IJepaConfig): IJepaConfig {
  const missing = Object.entries(ADDED_LATER).filter(([key]) => stored[key as keyof IJepaConfig] === undefined);
  return { ...stored, ...Object.fromEntries(missing) }; // the stored order kept: a re-export writes the same bytes
}

export function presetConfig(name: PresetName, overrides: Partial<IJepaConfig> = {}): IJepaConfig {
  return { ...PRESETS[name], ...overrides };
}

/** Patch grid side (H = W = cropSize / patchSize) and token count N. */
export function gridSize(config: IJepaConfig): number {
  return config.cropSize / config.patchSize;
}
/** The width of one predicted patch: the encoder's (representations) or a patch's pixels, RGB. */
export function targetWidth(config: IJepaConfig): number {
  return config.predictionTarget === 'pixels' ? config.patchSize ** 2 * 3 : config.embedDim;
}
export function numPatches(config: IJepaConfig): number {
  return gridSize(config) ** 2;
}
