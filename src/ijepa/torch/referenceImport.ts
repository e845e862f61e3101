// Reads a checkpoint the reference trainer saved (or the page exported for it): the model's sizes
// come from the tensors' shapes (the heads from the named model of that width), the weights and
// AdamW moments are mapped back by init_opt's group order, and everything is then checked name by
// name, shape by shape, by the same code that reads our safetensors checkpoints.
import { CheckpointMismatchError, parseCheckpoint, type LoadedCheckpoint } from '../checkpoint';
import { storedConfig, warmupFor, type IJepaConfig } from '../config';
import { blockAreaRange } from '../masks';
import { validateConfig } from '../validate';
import { MODULES, type ModuleName } from '../model';
import type { SafeTensor, SafetensorsFile } from '../safetensors';
import { readTorchArchive, TorchFileError, type TorchArchive } from './archive';
import { PLAYGROUND_KEY } from './referenceExport';
import { optimizerGroups } from './referenceLayout';
import { MAX_ENCODER_PARAMS, nearestReferenceModel, REFERENCE_MODELS } from './referenceModels';
import { isTensorRef, type PyKey, type PyValue, type TensorRef } from './values';

export interface ReferenceImport {
  config: IJepaConfig;
  loaded: LoadedCheckpoint;
  summary: string; // what was read, for the page's status line
}

type Dict = Map<PyKey, PyValue>;
const isDict = (v: PyValue | undefined): v is Dict => v instanceof Map;
const elements = (t: TensorRef) => t.shape.reduce((a, b) => a * b, 1);

function entry(dict: Dict, key: string, what: string): PyValue {
  if (!dict.has(key)) throw new TorchFileError(`it has no '${key}' (${what}): it is not a checkpoint of the I-JEPA trainer`);
  return dict.get(key)!;
}

/** A module's state dict with `module.` (DistributedDataParallel's prefix) taken off its keys. */
function moduleTensors(root: Dict, module: ModuleName): Map<string, TensorRef> {
  const dict = entry(root, module, 'a state dict');
  if (!isDict(dict)) throw new TorchFileError(`'${module}' is not a state dict`);
  const tensors = new Map<string, TensorRef>();
  for (const [key, value] of dict) {
    if (typeof key !== 'string' || !isTensorRef(value))
      throw new TorchFileError(`'${module}' holds '${String(key)}', which is not a tensor`);
    tensors.set(key.replace(/^module\./, ''), value);
  }
  return tensors;
}

const shapeOf = (tensors: Map<string, TensorRef>, name: string, rank: number): number[] => {
  const t = tensors.get(name);
  if (!t) throw new CheckpointMismatchError(`missing tensor '${name}'`);
  if (t.shape.length !== rank) throw new CheckpointMismatchError(`tensor '${name}' has shape [${t.shape}], expected ${rank} axes`);
  return t.shape;
};
const countBlocks = (tensors: Map<string, TensorRef>, prefix: string) => {
  let n = 0;
  while (tensors.has(`${prefix}.${n}.norm1.weight`)) n++;
  return n;
};

/** The model's sizes, read off the tensors; the rest of the config from `base`. */
function inferConfig(root: Dict, encoder: Map<string, TensorRef>, predictor: Map<string, TensorRef>, base: IJepaConfig): IJepaConfig {
  const [embedDim, channels, patchSize, patchWidth] = shapeOf(encoder, 'patch_embed.proj.weight', 4);
  if (channels !== 3 || patchWidth !== patchSize)
    throw new CheckpointMismatchError(
      `the patch embedding takes ${channels} channels of ${patchSize}x${patchWidth} px; the page trains RGB square patches`,
    );
  const grid = Math.round(Math.sqrt(shapeOf(encoder, 'pos_embed', 3)[1]));
  const predEmbedDim = shapeOf(predictor, 'predictor_embed.weight', 2)[0];
  const mlpRatio = shapeOf(encoder, 'blocks.0.mlp.fc1.weight', 2)[0] / embedDim;
  const named = REFERENCE_MODELS.find((m) => m.embedDim === embedDim);
  // heads leave no trace in the shapes: the named size of this width says, else the page's setting
  const numHeads = named?.numHeads ?? base.numHeads;
  if (embedDim % numHeads !== 0 || predEmbedDim % numHeads !== 0) {
    throw new CheckpointMismatchError(
      `its widths (${embedDim}, predictor ${predEmbedDim}) are not a reference size, and the page's ${numHeads} heads do not divide them: set Heads to the model's and import again`,
    );
  }
  const batchSize = root.get('batch_size');
  const lr = root.get('lr');
  // min_keep is not in the file either: the page's, lowered when this grid's smallest blocks need it
  const smallestBlock = Math.min(
    blockAreaRange(base.predMaskScale, base.aspectRatio, grid).min,
    blockAreaRange(base.encMaskScale, [1, 1], grid).min,
  );
  return {
    ...base,
    minKeep: Math.min(base.minKeep, Math.max(0, smallestBlock - 1)),
    cropSize: grid * patchSize,
    patchSize,
    embedDim,
    depth: countBlocks(encoder, 'blocks'),
    numHeads,
    mlpRatio,
    predEmbedDim,
    predDepth: countBlocks(predictor, 'predictor_blocks'),
    batchSize: Number.isSafeInteger(batchSize) && (batchSize as number) > 0 ? (batchSize as number) : base.batchSize,
    lr: typeof lr === 'number' && lr > 0 ? lr : base.lr,
  };
}

/** What the encoder's table is of the sin-cos code (1 in the reference's own runs; our export writes
 *  it scaled by posEmbedScale): its largest value, as cos(0) = 1 is in every table. */
function tableScale(table: Float32Array): number {
  let largest = 0;
  for (const v of table) largest = Math.max(largest, Math.abs(v));
  return Number(largest.toPrecision(6));
}

/** The planned length is not in the file either: the page's plan, or that many more steps when the
 *  run is already past it. */
function planned(config: IJepaConfig, step: number): IJepaConfig {
  if (step < config.totalSteps) return config;
  const totalSteps = step + config.totalSteps;
  return { ...config, totalSteps, warmupSteps: warmupFor(totalSteps) };
}

/** The AdamW moments and step by our parameter names, from the state numbered in init_opt's order. */
function optimizerTensors(root: Dict, config: IJepaConfig, archive: TorchArchive, into: Map<string, SafeTensor>): number {
  const opt = entry(root, 'opt', "the optimizer's state dict");
  const groups = isDict(opt) ? opt.get('param_groups') : undefined;
  const state = isDict(opt) ? opt.get('state') : undefined;
  if (!Array.isArray(groups) || !isDict(state)) throw new TorchFileError("'opt' is not an optimizer state dict");
  const expected = optimizerGroups(config);
  const counts = groups.map((g) => (isDict(g) && Array.isArray(g.get('params')) ? (g.get('params') as PyValue[]).length : -1));
  if (counts.join() !== expected.map((g) => g.length).join()) {
    throw new CheckpointMismatchError(
      `the optimizer's parameter groups hold [${counts}] parameters; the reference's four groups for this model hold [${expected.map((g) => g.length)}]`,
    );
  }
  if (state.size === 0) return 0; // never stepped
  let step: number | null = null;
  expected.flat().forEach(({ module, name, trainable }, index) => {
    const s = state.get(index);
    if (!trainable) return;
    if (!isDict(s)) throw new CheckpointMismatchError(`the optimizer has no state for ${module}.${name} (index ${index})`);
    for (const key of ['exp_avg', 'exp_avg_sq']) {
      const t = s.get(key);
      if (!isTensorRef(t)) throw new CheckpointMismatchError(`the optimizer's ${key} of ${module}.${name} is not a tensor`);
      into.set(`optimizer.${key}.${module}.${name}`, { dtype: 'F32', shape: t.shape, data: archive.read(t) }); // our checkpoints' names
    }
    const raw = s.get('step');
    const value = isTensorRef(raw) ? archive.read(raw)[0] : raw;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw new CheckpointMismatchError(`the optimizer's step of ${module}.${name} is not a count`);
    if (step !== null && value !== step)
      throw new CheckpointMismatchError(`the optimizer's steps differ between parameters (${step} and ${value})`);
    step = value;
  });
  return step ?? 0;
}

/** Refuses an encoder too big for the browser, naming its size, before any tensor is read. */
function checkSize(encoder: Map<string, TensorRef>): void {
  const params = [...encoder.values()].reduce((sum, t) => sum + elements(t), 0);
  if (params <= MAX_ENCODER_PARAMS) return;
  const embedDim = encoder.get('patch_embed.proj.weight')?.shape[0] ?? encoder.get('pos_embed')?.shape[2] ?? 0;
  const depth = countBlocks(encoder, 'blocks');
  const named =
    REFERENCE_MODELS.find((m) => m.embedDim === embedDim && m.depth === depth)?.name ?? `a ${nearestReferenceModel(embedDim)}-wide model`;
  throw new TorchFileError(
    `it holds ${named} (${(params / 1e6).toFixed(1)}M encoder parameters, ${embedDim} wide, ${depth} blocks); the browser takes ` +
      `encoders up to ${MAX_ENCODER_PARAMS / 1e6}M parameters (vit_small). Evaluate or continue it with the reference trainer`,
  );
}

/** Reads a reference-trainer checkpoint; `base` gives what the file cannot (seed, masks, schedules).
 *  Every failure is a TorchFileError or CheckpointMismatchError with a sentence for the page. */
export function parseReferenceCheckpoint(bytes: Uint8Array, base: IJepaConfig): ReferenceImport {
  try {
    return parse(bytes, base);
  } catch (error) {
    if (error instanceof TorchFileError || error instanceof CheckpointMismatchError) throw error;
    throw new TorchFileError(`it is damaged (${error instanceof Error ? error.message : String(error)})`);
  }
}

function parse(bytes: Uint8Array, base: IJepaConfig): ReferenceImport {
  const archive = readTorchArchive(bytes);
  if (!isDict(archive.root)) throw new TorchFileError('it holds no dict at its top');
  const root = archive.root;
  const tensors = Object.fromEntries(MODULES.map((m) => [m, moduleTensors(root, m)])) as Record<ModuleName, Map<string, TensorRef>>;
  const ours = root.get(PLAYGROUND_KEY);
  const ownConfig =
    isDict(ours) && typeof ours.get('config') === 'string' ? storedConfig(JSON.parse(ours.get('config') as string) as IJepaConfig) : null;
  const epoch = root.get('epoch');
  checkSize(tensors.encoder);
  const file: SafetensorsFile = { tensors: new Map(), metadata: {} };
  for (const module of MODULES) {
    for (const [name, t] of tensors[module]) file.tensors.set(`${module}.${name}`, { dtype: 'F32', shape: t.shape, data: archive.read(t) });
  }
  const inferred = ownConfig ?? {
    ...inferConfig(root, tensors.encoder, tensors.predictor, base),
    posEmbedScale: tableScale(file.tensors.get('encoder.pos_embed')!.data as Float32Array),
  };
  const optimizerStep = optimizerTensors(root, inferred, archive, file.tensors);
  const step = ownConfig && isDict(ours) && Number.isSafeInteger(ours.get('step')) ? (ours.get('step') as number) : optimizerStep;
  const config = ownConfig ?? planned(inferred, step);
  const problems = validateConfig(config);
  if (problems.length > 0) throw new TorchFileError(`the model it holds cannot be trained here: ${problems.join('; ')}`);
  file.metadata = { step: String(step), optimizer_step: String(optimizerStep) };
  const loaded = parseCheckpoint(file, config);
  const model =
    REFERENCE_MODELS.find((m) => m.embedDim === config.embedDim && m.depth === config.depth)?.name ??
    `${config.embedDim}-wide, ${config.depth}-block ViT`;
  const summary = `${model}, patch ${config.patchSize} at ${config.cropSize} px${Number.isSafeInteger(epoch) ? `, epoch ${epoch}` : ''}`;
  return { config, loaded, summary };
}
