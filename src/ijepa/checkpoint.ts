// Checkpoints as safetensors with the reference's state-dict names and PyTorch layouts
// (`encoder.`, `target_encoder.`, `predictor.` prefixes), the run's config in `__metadata__`
// under the reference's YAML key names, and the AdamW state and step so a run resumes exactly.
import { gridSize, referenceConfig, storedConfig, type IJepaConfig } from './config';
import { fromTorch, torchShape, torchTensor } from './layout';
import { buildModel, MODULES, moduleParams, moduleShapes, type IJepaModel, type ModuleName } from './model';
import { readMoments, writeMoments, type MomentsByName } from './optim';
import { decoderTensors, DECODER_PREFIX, restorePixelDecoder } from './pixelDecoder';
import { encoderPosEmbed, sinCosPosEmbed } from './posEmbed';
import { readSafetensors, writeSafetensors, type SafeTensor, type SafetensorsFile } from './safetensors';
import type { Trainer } from './trainStep';
import { createTrainer } from './trainStep';
import * as tf from './tf';

export const CHECKPOINT_FORMAT = 'ijepa-webgpu-playground/1';
const OPT_PREFIX = { expAvg: 'optimizer.exp_avg.', expAvgSq: 'optimizer.exp_avg_sq.' } as const;

/** Every tensor name a checkpoint of this config holds, with its PyTorch shape, in export order. */
export function expectedTensors(c: IJepaConfig, modules: readonly ModuleName[] = MODULES): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (const module of modules) {
    for (const [name, shape] of Object.entries(moduleShapes(c, module)))
      out.push([`${module}.${name}`, torchShape(name, shape, c.patchSize)]);
    const table = posEmbedTensor(c, module);
    out.push([`${module}.${table.name}`, table.shape]);
  }
  return out;
}

/** A module's fixed sin-cos table as the reference keeps it (a parameter there, not one of ours):
 *  its state-dict name and [1, N, width] values. */
export function posEmbedTensor(c: IJepaConfig, module: ModuleName): { name: string; shape: number[]; data: Float32Array } {
  const grid = gridSize(c);
  const dim = module === 'predictor' ? c.predEmbedDim : c.embedDim;
  return {
    name: module === 'predictor' ? 'predictor_pos_embed' : 'pos_embed',
    shape: [1, grid * grid, dim],
    data: module === 'predictor' ? sinCosPosEmbed(dim, grid) : encoderPosEmbed(c),
  };
}

async function torchTensors(prefix: string, params: Record<string, tf.Variable>, patchSize: number): Promise<[string, SafeTensor][]> {
  const out: [string, SafeTensor][] = [];
  for (const [name, v] of Object.entries(params)) {
    const data = (await v.data()) as Float32Array;
    out.push([`${prefix}${name}`, { dtype: 'F32', ...torchTensor(name, v.shape, data, patchSize) }]);
  }
  return out;
}

export interface ExportOptions {
  modules?: readonly ModuleName[]; // default: all three
  includeOptimizer?: boolean; // default: true when all three modules are exported
  extraMetadata?: Record<string, string>;
  extraTensors?: [string, SafeTensor][]; // e.g. the run's metric history under `metrics.`
}

/** Tensors outside the model and optimizer that a checkpoint may carry (read back as `extras`). */
export const EXTRA_PREFIX = 'metrics.';

/** The trainer (or some of its modules) as safetensors bytes. */
export async function exportCheckpoint(trainer: Trainer, options: ExportOptions = {}): Promise<Uint8Array> {
  const { config, model, optimizer } = trainer;
  const modules = options.modules ?? MODULES;
  const includeOptimizer = options.includeOptimizer ?? modules.length === MODULES.length;
  const tensors: [string, SafeTensor][] = [];
  for (const module of modules) {
    tensors.push(...(await torchTensors(`${module}.`, moduleParams(model, module), config.patchSize)));
    const { name, shape, data } = posEmbedTensor(config, module);
    tensors.push([`${module}.${name}`, { dtype: 'F32', shape, data }]);
  }
  if (includeOptimizer) {
    const moments = await readMoments(optimizer);
    for (const [key, prefix] of Object.entries(OPT_PREFIX) as [keyof typeof OPT_PREFIX, string][]) {
      for (const [name, { shape }] of optimizer.slots) {
        const local = name.slice(name.indexOf('.') + 1);
        tensors.push([`${prefix}${name}`, { dtype: 'F32', ...torchTensor(local, shape, moments[key][name], config.patchSize) }]);
      }
    }
  }
  if (includeOptimizer && trainer.decoder) tensors.push(...(await decoderTensors(trainer.decoder))); // a probe beside the run: ./pixelDecoder.ts
  for (const [name, t] of options.extraTensors ?? []) {
    if (!name.startsWith(EXTRA_PREFIX)) throw new Error(`extra checkpoint tensors must be named ${EXTRA_PREFIX}* (got ${name})`);
    tensors.push([name, t]);
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify({ ...referenceConfig(config), model_name: 'vit_custom' }), // widths are given: the reference knows sizes by name
    playground_config: JSON.stringify(config),
    step: String(trainer.step),
    ...(includeOptimizer ? { optimizer_step: String(optimizer.step) } : {}),
    ...options.extraMetadata,
  };
  return writeSafetensors(tensors, metadata);
}

export class CheckpointMismatchError extends Error {
  constructor(message: string) {
    super(`Checkpoint does not match this config: ${message}`);
    this.name = 'CheckpointMismatchError';
  }
}

export interface LoadedCheckpoint {
  values: Record<ModuleName, Record<string, Float32Array>>; // tfjs layout
  optimizer?: { step: number } & MomentsByName;
  step: number;
  metadata: Record<string, string>;
  extras: Map<string, SafeTensor>; // `metrics.*` tensors
  decoder: Map<string, SafeTensor>; // the pixel decoder's (`pixel_decoder.*`), when the run had one
}

/** The playground config stored in a checkpoint's metadata, if any (not validated here). */
export function checkpointConfig(file: SafetensorsFile): IJepaConfig | null {
  const raw = file.metadata.playground_config;
  if (!raw) return null;
  try {
    return storedConfig(JSON.parse(raw) as IJepaConfig);
  } catch {
    return null;
  }
}

/** Parses and checks a checkpoint against `config`; the first missing, unexpected or mis-shaped
 *  tensor is named in the error. */
export function parseCheckpoint(input: Uint8Array | ArrayBuffer | SafetensorsFile, config: IJepaConfig): LoadedCheckpoint {
  const file = input instanceof Uint8Array || input instanceof ArrayBuffer ? readSafetensors(input) : input;
  const seen = new Set<string>();
  const take = (name: string, shape: number[]): Float32Array => {
    const t = file.tensors.get(name);
    if (!t) throw new CheckpointMismatchError(`missing tensor '${name}'`);
    if (t.dtype !== 'F32') throw new CheckpointMismatchError(`tensor '${name}' is ${t.dtype}, expected F32`);
    if (t.shape.join(',') !== shape.join(',')) {
      throw new CheckpointMismatchError(`tensor '${name}' has shape [${t.shape}] but this config expects [${shape}]`);
    }
    seen.add(name);
    return t.data as Float32Array;
  };
  const values = { encoder: {}, target_encoder: {}, predictor: {} } as LoadedCheckpoint['values'];
  for (const module of MODULES) {
    for (const [name, shape] of Object.entries(moduleShapes(config, module))) {
      values[module][name] = fromTorch(name, shape, take(`${module}.${name}`, torchShape(name, shape, config.patchSize)), config.patchSize);
    }
  }
  for (const [name, shape] of expectedTensors(config)) if (name.endsWith('pos_embed')) take(name, shape); // fixed tables: shape only
  let optimizer: LoadedCheckpoint['optimizer'];
  if ([...file.tensors.keys()].some((n) => n.startsWith('optimizer.'))) {
    optimizer = { step: Number(file.metadata.optimizer_step ?? 0), expAvg: {}, expAvgSq: {} };
    for (const module of ['encoder', 'predictor'] as const) {
      for (const [name, shape] of Object.entries(moduleShapes(config, module))) {
        for (const key of ['expAvg', 'expAvgSq'] as const) {
          const data = take(`${OPT_PREFIX[key]}${module}.${name}`, torchShape(name, shape, config.patchSize));
          optimizer[key][`${module}.${name}`] = fromTorch(name, shape, data, config.patchSize);
        }
      }
    }
  }
  const extras = new Map([...file.tensors].filter(([name]) => name.startsWith(EXTRA_PREFIX)));
  const decoder = new Map([...file.tensors].filter(([name]) => name.startsWith(DECODER_PREFIX)));
  const unexpected = [...file.tensors.keys()].find((n) => !seen.has(n) && !extras.has(n) && !decoder.has(n));
  if (unexpected) throw new CheckpointMismatchError(`unexpected tensor '${unexpected}'`);
  const step = Number(file.metadata.step ?? 0);
  return { values, optimizer, step: Number.isSafeInteger(step) && step >= 0 ? step : 0, metadata: file.metadata, extras, decoder };
}

/** A model with a checkpoint's weights. */
export function modelFromCheckpoint(config: IJepaConfig, loaded: LoadedCheckpoint): IJepaModel {
  return buildModel(config, loaded.values);
}

/** A trainer that continues exactly where the checkpoint's run stopped. */
export function trainerFromCheckpoint(config: IJepaConfig, loaded: LoadedCheckpoint): Trainer {
  const trainer = createTrainer(config, modelFromCheckpoint(config, loaded));
  trainer.step = loaded.step;
  if (loaded.optimizer) {
    trainer.optimizer.step = loaded.optimizer.step;
    writeMoments(trainer.optimizer, loaded.optimizer);
  }
  trainer.decoder = restorePixelDecoder(config, loaded.decoder) ?? undefined;
  return trainer;
}
