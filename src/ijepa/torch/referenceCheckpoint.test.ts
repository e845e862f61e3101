import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { exportCheckpoint, modelFromCheckpoint, trainerFromCheckpoint } from '../checkpoint';
import { presetConfig, type IJepaConfig } from '../config';
import { randomImages } from '../kernelCheck';
import { toTorch } from '../layout';
import { disposeModel, moduleParams, moduleShapes } from '../model';
import { writeMoments } from '../optim';
import { sinCosPosEmbed } from '../posEmbed';
import * as tf from '../tf';
import { createTrainer, disposeTrainer, trainStep, type Trainer } from '../trainStep';
import { encode, patchify } from '../vit';
import { readTorchArchive, TorchFileError, writeTorchArchive } from './archive';
import { OrderedDict } from './pickle';
import { exportReferenceCheckpoint, PLAYGROUND_KEY } from './referenceExport';
import { parseReferenceCheckpoint } from './referenceImport';
import { MAX_ENCODER_PARAMS } from './referenceModels';
import { optimizerGroups, stateDictOrder } from './referenceLayout';
import { TensorOut, type PyKey, type PyValue } from './values';
import { vitBaseShapesOnly } from '../../test/referenceFiles';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixture = new Uint8Array(readFileSync(new URL('reference-tiny.pth.tar', FIXTURES)));
const expected = JSON.parse(readFileSync(new URL('reference-tiny.json', FIXTURES), 'utf8')) as {
  sums: Record<string, number>;
  moments: Record<string, { exp_avg: number; exp_avg_sq: number; step: number }>;
  tokens: number[];
};
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0);
const trainers: Trainer[] = [];
afterEach(() => trainers.splice(0).forEach(disposeTrainer));

describe('a checkpoint written by the reference trainer (PyTorch fixture, tools/reference/make_fixture.py)', () => {
  // the fixture's widths are not a named size, so its 2 heads come from the page's setting
  const base = presetConfig('micro', { numHeads: 2 });

  it('is read with the model sizes taken from its shapes and every tensor by its reference name', () => {
    const { config, loaded, summary } = parseReferenceCheckpoint(fixture, { ...base, posEmbedScale: 0.25 });
    expect(config).toMatchObject({
      posEmbedScale: 1, // the reference's own table, whatever the page's setting
      cropSize: 16,
      patchSize: 4,
      embedDim: 16,
      depth: 2,
      numHeads: 2,
      predEmbedDim: 8,
      predDepth: 1,
      mlpRatio: 4,
      batchSize: 2,
    });
    expect(loaded.step).toBe(3);
    expect(loaded.optimizer!.step).toBe(3);
    expect(summary).toBe('16-wide, 2-block ViT, patch 4 at 16 px, epoch 1');
    for (const module of ['encoder', 'target_encoder', 'predictor'] as const) {
      for (const [name, shape] of Object.entries(moduleShapes(config, module))) {
        const torch = toTorch(name, shape, loaded.values[module][name], config.patchSize);
        expect(sum(torch), `${module}.${name}`).toBeCloseTo(expected.sums[`${module}.module.${name}`], 4);
      }
    }
    // the optimizer state, numbered in init_opt's group order, lands on the right parameters
    for (const [name, m] of Object.entries(expected.moments)) {
      expect(sum(loaded.optimizer!.expAvg[name]), name).toBeCloseTo(m.exp_avg, 6);
      expect(sum(loaded.optimizer!.expAvgSq[name]), name).toBeCloseTo(m.exp_avg_sq, 9);
      expect(m.step).toBe(3);
    }
    expect(Object.keys(loaded.optimizer!.expAvg).sort()).toEqual(Object.keys(expected.moments).sort());
  });

  it('orders state dicts and optimizer groups as PyTorch did, and its sin-cos tables are ours', () => {
    const { config } = parseReferenceCheckpoint(fixture, base);
    const root = readTorchArchive(fixture).root as Map<PyKey, PyValue>;
    const archive = readTorchArchive(fixture);
    for (const module of ['encoder', 'predictor'] as const) {
      const keys = [...(root.get(module) as Map<PyKey, PyValue>).keys()];
      expect(keys).toEqual(stateDictOrder(config, module).map(([name]) => `module.${name}`));
    }
    const groups = ((root.get('opt') as Map<PyKey, PyValue>).get('param_groups') as Map<PyKey, PyValue>[]).map((g) => g.get('params'));
    expect(groups.map((g) => (g as number[]).length)).toEqual(optimizerGroups(config).map((g) => g.length));
    const posEmbed = (root.get('encoder') as Map<PyKey, PyValue>).get('module.pos_embed');
    const theirs = archive.read(posEmbed as never);
    const ours = sinCosPosEmbed(config.embedDim, 4);
    for (let i = 0; i < ours.length; i++) expect(theirs[i]).toBeCloseTo(ours[i], 6);
  });

  it("gives the reference encoder's output on the fixture's image (layouts and heads right)", () => {
    const { config, loaded } = parseReferenceCheckpoint(fixture, base);
    const model = modelFromCheckpoint(config, loaded);
    const tokens = tf.tidy(() => {
      const image = tf
        .linspace(-1, 1, 3 * 16 * 16)
        .reshape([1, 3, 16, 16])
        .transpose([0, 2, 3, 1]) as tf.Tensor4D; // NCHW -> NHWC
      return encode(model.encoder, config, model.posEmbed, patchify(image, config.patchSize));
    });
    const got = tokens.dataSync();
    tokens.dispose();
    disposeModel(model);
    expect(got.length).toBe(expected.tokens.length);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected.tokens[i], 4);
  });
});

describe("the page's export for the reference trainer", () => {
  it('reads back bit-exactly and resumes the run exactly', async () => {
    const config = presetConfig('micro', { batchSize: 4 });
    const images = randomImages(config);
    const a = createTrainer(config);
    trainers.push(a);
    for (let i = 0; i < 2; i++) await trainStep(a, images);
    const bytes = await exportReferenceCheckpoint(a, { datasetSize: 6, epochLoss: 0.5 });
    const { config: back, loaded } = parseReferenceCheckpoint(bytes, presetConfig('tiny'));
    expect(back).toEqual(config);
    const b = trainerFromCheckpoint(back, loaded);
    trainers.push(b);
    expect([b.step, b.optimizer.step]).toEqual([2, 2]);
    expect(await exportCheckpoint(b)).toEqual(await exportCheckpoint(a)); // weights and moments bit-exact
    expect(await exportReferenceCheckpoint(b, { datasetSize: 6, epochLoss: 0.5 })).toEqual(bytes); // the same file again
    expect(await trainStep(b, images)).toEqual(await trainStep(a, images));
    const root = readTorchArchive(bytes).root as Map<PyKey, PyValue>;
    expect(root.get('epoch')).toBe(2); // 6 images in batches of 4: one iteration an epoch
    expect([root.get('batch_size'), root.get('world_size'), root.get('lr'), root.get('loss')]).toEqual([4, 1, 1e-3, 0.5]);
    images.dispose();
  });

  it('writes vit_tiny as the reference builds it, and reads it without our config (heads from the width, the scale of its position table from its values)', async () => {
    const config = presetConfig('vit_tiny', { posEmbedScale: 0.5 });
    const trainer = createTrainer(config);
    trainers.push(trainer);
    trainer.step = trainer.optimizer.step = 7;
    const moments = { expAvg: {} as Record<string, Float32Array>, expAvgSq: {} as Record<string, Float32Array> };
    for (const [name, slot] of trainer.optimizer.slots) {
      moments.expAvg[name] = Float32Array.from({ length: slot.size }, (_, i) => Math.sin(i + slot.offset));
      moments.expAvgSq[name] = Float32Array.from({ length: slot.size }, (_, i) => (i % 7) + slot.offset * 1e-6);
    }
    writeMoments(trainer.optimizer, moments);
    const bytes = await exportReferenceCheckpoint(trainer, { datasetSize: 320, epochLoss: null });
    const root = readTorchArchive(bytes).root as Map<PyKey, PyValue>;
    root.delete(PLAYGROUND_KEY); // as the reference trainer would have saved it
    const asSaved = rewrite(root, bytes);
    const { config: back, loaded } = parseReferenceCheckpoint(asSaved, presetConfig('micro', { numHeads: 2 }));
    expect(back).toMatchObject({
      embedDim: 192,
      depth: 12,
      numHeads: 3,
      mlpRatio: 4,
      patchSize: 8,
      cropSize: 64,
      predEmbedDim: 96,
      predDepth: 4,
      posEmbedScale: 0.5,
    });
    const b = trainerFromCheckpoint(back, loaded);
    trainers.push(b);
    expect(b.step).toBe(7);
    for (const [name, values] of Object.entries(moments.expAvg)) expect(sameBits(loaded.optimizer!.expAvg[name], values), name).toBe(true);
    for (const module of ['encoder', 'target_encoder', 'predictor'] as const) {
      for (const [name, v] of Object.entries(moduleParams(trainer.model, module)))
        expect(sameBits(loaded.values[module][name], v.dataSync()), name).toBe(true);
    }
  }, 120_000);
});

/** Bit-exact equality of two large arrays (vitest's deep equality takes seconds on millions of elements). */
const sameBits = (a: Float32Array, b: Float32Array | Int32Array | Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** The archive again with `root` changed (its tensors re-read as TensorOut). */
function rewrite(root: Map<PyKey, PyValue>, bytes: Uint8Array): Uint8Array {
  const archive = readTorchArchive(bytes);
  const convert = (v: PyValue): PyValue => {
    if (v instanceof Map) {
      const out = v instanceof OrderedDict ? new OrderedDict() : new Map<PyKey, PyValue>();
      for (const [k, x] of v) out.set(k, convert(x));
      return out;
    }
    if (Array.isArray(v)) return v.map(convert);
    if (typeof v === 'object' && v !== null && 'storage' in v) return new TensorOut(v.shape, archive.read(v));
    return v;
  };
  return writeTorchArchive(convert(root), 'archive');
}

describe('reference checkpoints the page cannot take', () => {
  it('names the model size when it is too big for the browser, before reading its tensors', () => {
    const bytes = vitBaseShapesOnly();
    expect(() => parseReferenceCheckpoint(bytes, presetConfig('micro'))).toThrow(TorchFileError);
    expect(() => parseReferenceCheckpoint(bytes, presetConfig('micro'))).toThrow(
      new RegExp(
        `vit_base \\(\\d+\\.\\dM encoder parameters, 768 wide, 12 blocks\\); the browser takes encoders up to ${MAX_ENCODER_PARAMS / 1e6}M`,
      ),
    );
  });

  it('says what is wrong with files that are not reference checkpoints', () => {
    const micro: IJepaConfig = presetConfig('micro');
    expect(() => parseReferenceCheckpoint(new TextEncoder().encode('hello'), micro)).toThrow(/not a PyTorch checkpoint/);
    expect(() => parseReferenceCheckpoint(Uint8Array.of(0x80, 2, 0x8a), micro)).toThrow(/legacy format/);
    expect(() => parseReferenceCheckpoint(writeTorchArchive(new Map([['state_dict', new Map()]])), micro)).toThrow(/no 'encoder'/);
    expect(() => parseReferenceCheckpoint(fixture, presetConfig('micro', { numHeads: 3 }))).toThrow(/set Heads to the model's/);
    expect(() => parseReferenceCheckpoint(fixture.slice(0, 5000), micro)).toThrow(TorchFileError);
  });
});
