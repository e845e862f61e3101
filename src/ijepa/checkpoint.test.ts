import { afterEach, describe, expect, it } from 'vitest';
import {
  checkpointConfig,
  CheckpointMismatchError,
  exportCheckpoint,
  expectedTensors,
  parseCheckpoint,
  trainerFromCheckpoint,
} from './checkpoint';
import { encoderPosEmbed, sinCosPosEmbed } from './posEmbed';
import { presetConfig } from './config';
import { fromTorch, toTorch } from './layout';
import { buildModel, disposeModel, moduleShapes } from './model';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors';
import { randomImages } from './kernelCheck';
import { createTrainer, disposeTrainer, trainStep, type Trainer } from './trainStep';

const config = presetConfig('micro', { batchSize: 4 });
const trainers: Trainer[] = [];
afterEach(() => trainers.splice(0).forEach(disposeTrainer));

describe('checkpoints (safetensors, reference names and layouts)', () => {
  it('exports the reference names and PyTorch shapes, with the config in __metadata__', async () => {
    const trainer = createTrainer(config);
    trainers.push(trainer);
    const file = readSafetensors(await exportCheckpoint(trainer));
    const D = config.embedDim;
    expect(file.tensors.get('encoder.patch_embed.proj.weight')!.shape).toEqual([D, 3, 4, 4]);
    expect(file.tensors.get('target_encoder.blocks.1.attn.qkv.weight')!.shape).toEqual([3 * D, D]);
    expect(file.tensors.get('encoder.blocks.0.mlp.fc1.weight')!.shape).toEqual([4 * D, D]);
    expect(file.tensors.get('encoder.pos_embed')!.shape).toEqual([1, 64, D]);
    expect(file.tensors.get('predictor.predictor_embed.weight')!.shape).toEqual([config.predEmbedDim, D]);
    expect(file.tensors.get('predictor.predictor_proj.weight')!.shape).toEqual([D, config.predEmbedDim]);
    expect(file.tensors.get('predictor.mask_token')!.shape).toEqual([1, 1, config.predEmbedDim]);
    for (const [name, shape] of expectedTensors(config)) expect(file.tensors.get(name)?.shape, name).toEqual(shape);
    const meta = JSON.parse(file.metadata.config);
    expect(meta).toMatchObject({
      crop_size: 32,
      patch_size: 4,
      enc_mask_scale: [0.85, 1],
      pred_mask_scale: [0.15, 0.2],
      aspect_ratio: [0.75, 1.5],
      num_enc_masks: 1,
      num_pred_masks: 4,
      min_keep: 4,
      allow_overlap: false,
      pred_depth: 1,
      pred_emb_dim: 16,
      start_lr: 2e-4,
      lr: 1e-3,
      final_lr: 1e-6,
      weight_decay: 0.04,
      final_weight_decay: 0.4,
      ema: [0.996, 1],
      batch_size: 4,
    });
    expect(meta.model_name).toBeTypeOf('string');
    expect(meta.warmup_steps).toBe(config.warmupSteps);
  });

  it("writes the encoders' scaled position table and fills the settings an older checkpoint predates", async () => {
    const scaled = { ...config, posEmbedScale: 0.25 };
    const trainer = createTrainer(scaled);
    trainers.push(trainer);
    const file = readSafetensors(await exportCheckpoint(trainer));
    const grid = scaled.cropSize / scaled.patchSize;
    for (const module of ['encoder', 'target_encoder'])
      expect(file.tensors.get(`${module}.pos_embed`)!.data).toEqual(encoderPosEmbed(scaled));
    expect(file.tensors.get('predictor.predictor_pos_embed')!.data).toEqual(sinCosPosEmbed(scaled.predEmbedDim, grid)); // the predictor's: plain
    expect(checkpointConfig(file)).toEqual(scaled);
    // a checkpoint written before posEmbedScale, maskStrategy and predictionTarget: trained as the reference
    const { posEmbedScale, maskStrategy, predictionTarget, ...older } = scaled;
    expect([posEmbedScale, maskStrategy, predictionTarget]).toEqual([0.25, 'multiblock', 'representations']);
    file.metadata.playground_config = JSON.stringify(older);
    expect(checkpointConfig(file)).toEqual({ ...scaled, posEmbedScale: 1 });
  });

  it('round-trips a trained run bit-exactly and resumes it exactly', async () => {
    const images = randomImages(config);
    const a = createTrainer(config);
    trainers.push(a);
    for (let i = 0; i < 3; i++) await trainStep(a, images);
    const bytes = await exportCheckpoint(a);
    const b = trainerFromCheckpoint(config, parseCheckpoint(bytes, config));
    trainers.push(b);
    expect(b.step).toBe(3);
    expect(b.optimizer.step).toBe(3);
    expect(await exportCheckpoint(b)).toEqual(bytes); // every weight and moment bit-exact
    // the next step of both runs is identical: same masks, schedules, moments
    const [la, lb] = [await trainStep(a, images), await trainStep(b, images)];
    expect(lb).toEqual(la);
    images.dispose();
  });

  it('loads a hand-written PyTorch-layout file into the right tensors (transposes checked)', () => {
    const c = presetConfig('micro');
    const tensors: [string, SafeTensor][] = [];
    const marks = new Map<string, Float32Array>();
    for (const [name, shape] of expectedTensors(c)) {
      const size = shape.reduce((x, y) => x * y, 1);
      // distinct values everywhere: element k of tensor t holds t * 1e4 + k in PyTorch order
      const data = Float32Array.from({ length: size }, (_, k) => tensors.length * 1e4 + k);
      marks.set(name, data);
      tensors.push([name, { dtype: 'F32', shape, data }]);
    }
    const loaded = parseCheckpoint(writeSafetensors(tensors), c);
    // fc1 is non-square: PyTorch [4D, D] (out, in) -> ours [D, 4D] (in, out): ours[i][o] = torch[o][i]
    const D = c.embedDim;
    const torchFc1 = marks.get('encoder.blocks.0.mlp.fc1.weight')!;
    const oursFc1 = loaded.values.encoder['blocks.0.mlp.fc1.weight'];
    for (const [i, o] of [
      [0, 1],
      [3, 100],
      [D - 1, 4 * D - 1],
    ])
      expect(oursFc1[i * 4 * D + o]).toBe(torchFc1[o * D + i]);
    // conv [D, 3, p, p] -> ours [(y * p + x) * 3 + ch, d]
    const torchConv = marks.get('predictor.predictor_embed.weight')!; // [Dp, D]: ours [D, Dp]
    const Dp = c.predEmbedDim;
    expect(loaded.values.predictor['predictor_embed.weight'][5 * Dp + 2]).toBe(torchConv[2 * D + 5]);
    const conv = marks.get('encoder.patch_embed.proj.weight')!;
    const [d, ch, y, x] = [7, 2, 1, 3];
    expect(loaded.values.encoder['patch_embed.proj.weight'][((y * 4 + x) * 3 + ch) * D + d]).toBe(conv[((d * 3 + ch) * 4 + y) * 4 + x]);
    // a model built from it holds those values
    const model = buildModel(c, loaded.values);
    expect(model.encoder['blocks.0.mlp.fc1.weight'].dataSync()[3 * 4 * D + 100]).toBe(torchFc1[100 * D + 3]);
    disposeModel(model);
  });

  it('layout conversions are inverse of each other', () => {
    const c = presetConfig('micro');
    for (const [name, shape] of Object.entries(moduleShapes(c, 'encoder'))) {
      const data = Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, k) => k);
      expect(fromTorch(name, shape, toTorch(name, shape, data, 4), 4)).toEqual(data);
    }
  });

  it('names the first mismatch when a file does not fit the config', async () => {
    const trainer = createTrainer(config);
    trainers.push(trainer);
    const bytes = await exportCheckpoint(trainer);
    const wider = presetConfig('micro', { embedDim: 64 });
    expect(() => parseCheckpoint(bytes, wider)).toThrow(CheckpointMismatchError);
    expect(() => parseCheckpoint(bytes, wider)).toThrow(
      /'encoder\.patch_embed\.proj\.weight' has shape \[32,3,4,4\] but this config expects \[64,3,4,4\]/,
    );
    const deeper = presetConfig('micro', { depth: 3 });
    expect(() => parseCheckpoint(bytes, deeper)).toThrow(/missing tensor 'encoder\.blocks\.2\.norm1\.weight'/);
    const shallower = presetConfig('micro', { predDepth: 0 + 1, depth: 1 });
    expect(() => parseCheckpoint(bytes, shallower)).toThrow(/unexpected tensor 'encoder\.blocks\.1\./);
  });

  it('exports the target encoder alone for downstream use', async () => {
    const trainer = createTrainer(config);
    trainers.push(trainer);
    const file = readSafetensors(await exportCheckpoint(trainer, { modules: ['target_encoder'] }));
    const names = [...file.tensors.keys()];
    expect(names.every((n) => n.startsWith('target_encoder.'))).toBe(true);
    expect(names).toContain('target_encoder.norm.weight');
    expect(file.metadata.optimizer_step).toBeUndefined();
  });
});
