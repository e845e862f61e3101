import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { presetConfig } from './config';
import { referenceYaml } from './referenceYaml';
import { referenceModelOf } from './torch/referenceModels';

describe('reference YAML export', () => {
  it('writes the reference sections and keys, with steps turned into epochs', () => {
    const config = presetConfig('tiny', { totalSteps: 4000, warmupSteps: 533, batchSize: 64 });
    const text = referenceYaml(config, 6400); // 100 iterations per epoch
    const doc = parse(text);
    expect(doc.mask).toEqual({
      allow_overlap: false,
      aspect_ratio: [0.75, 1.5],
      enc_mask_scale: [0.85, 1],
      min_keep: 4,
      num_enc_masks: 1,
      num_pred_masks: 4,
      patch_size: 4,
      pred_mask_scale: [0.15, 0.2],
    });
    expect(doc.optimization).toMatchObject({
      ema: [0.996, 1],
      epochs: 40,
      warmup: 5.33,
      lr: 0.001,
      start_lr: 0.0002,
      final_lr: 1e-6,
      weight_decay: 0.04,
      final_weight_decay: 0.4,
      ipe_scale: 1,
    });
    expect(doc.data).toMatchObject({ batch_size: 64, crop_size: 32, crop_scale: [0.3, 1], use_horizontal_flip: false });
    expect(doc.meta).toMatchObject({ pred_depth: 2, pred_emb_dim: 32, model_name: 'vit_tiny' });
    expect(text).toContain('embed_dim 64, depth 4, heads 4');
  });

  it('names an exact reference model only when every size matches', () => {
    expect(referenceModelOf(presetConfig('small', { embedDim: 384, depth: 12, numHeads: 6 }))).toBe('vit_small');
    expect(referenceModelOf(presetConfig('vit_tiny'))).toBe('vit_tiny');
    expect(referenceModelOf(presetConfig('vit_tiny', { mlpRatio: 2 }))).toBeNull();
    expect(referenceModelOf(presetConfig('tiny'))).toBeNull();
  });

  it('resumes from the exported checkpoint when the model is a reference model, and says when it cannot', () => {
    const resume = referenceYaml(presetConfig('vit_tiny'), 3200, { readCheckpoint: 'jepa-vit_tiny-step500.pth.tar', completedEpochs: 5 });
    expect(parse(resume).meta).toMatchObject({
      model_name: 'vit_tiny',
      load_checkpoint: true,
      read_checkpoint: 'jepa-vit_tiny-step500.pth.tar',
    });
    expect(resume).toContain('Resumes from jepa-vit_tiny-step500.pth.tar (epoch 5)');
    const custom = referenceYaml(presetConfig('tiny'), 3200, { readCheckpoint: 'jepa-custom-step500.pth.tar' });
    expect(parse(custom).meta).toMatchObject({ model_name: 'vit_tiny', load_checkpoint: false, read_checkpoint: null });
    expect(custom).toContain('this run starts afresh');
  });
});
