// The run's config as the reference trainer's YAML (facebookresearch/ijepa configs/*.yaml), so the
// same run can be continued at scale with `python main.py --fname this.yaml`. Steps become epochs
// through the dataset size; widths the reference only knows by model name are written as comments.
// With `readCheckpoint` (a model the reference builds exactly), the YAML resumes from that file.
import { stringify } from 'yaml';
import { CONFIG_FIELDS, CONFIG_KEYS, type IJepaConfig } from './config';
import { iterationsPerEpoch, nearestReferenceModel, referenceModelOf } from './torch/referenceModels';

type Section = Record<string, unknown>;
const sorted = (section: Section): Section => Object.fromEntries(Object.entries(section).sort(([a], [b]) => a.localeCompare(b)));

export interface YamlOptions {
  readCheckpoint?: string; // the exported .pth.tar to resume from (it must sit in logging.folder)
  completedEpochs?: number; // how far the checkpoint got
}

export function referenceYaml(c: IJepaConfig, datasetSize: number, options: YamlOptions = {}): string {
  const ipe = iterationsPerEpoch(datasetSize, c.batchSize);
  const epochs = Math.max(1, Math.ceil(c.totalSteps / ipe));
  const exact = referenceModelOf(c);
  const modelName = exact ?? nearestReferenceModel(c.embedDim);
  const resume = exact !== null && options.readCheckpoint !== undefined;
  // what the reference needs beside the config's own fields: paths, switches, derived values
  const sections: Record<'data' | 'logging' | 'mask' | 'meta' | 'optimization', Section> = {
    data: {
      color_jitter_strength: 0.0,
      image_folder: 'your_dataset/',
      num_workers: 8,
      pin_mem: true,
      root_path: '/path/to/datasets/',
      use_color_distortion: false,
      use_gaussian_blur: false,
      use_horizontal_flip: false,
    },
    logging: { folder: '/path/to/logs/ijepa-playground/', write_tag: 'jepa' },
    mask: {},
    meta: {
      copy_data: false,
      load_checkpoint: resume,
      model_name: modelName,
      read_checkpoint: resume ? options.readCheckpoint : null,
      use_bfloat16: true,
    },
    optimization: { epochs, ipe_scale: 1.0, warmup: Math.round((c.warmupSteps / ipe) * 100) / 100 },
  };
  for (const key of CONFIG_KEYS) {
    const { ref, yaml } = CONFIG_FIELDS[key];
    const value = c[key];
    if (yaml) sections[yaml.section][yaml.key ?? ref] = Array.isArray(value) ? [...value] : value;
  }
  const doc = Object.fromEntries(Object.entries(sections).map(([name, section]) => [name, sorted(section)]));
  const header = [
    '# I-JEPA config exported by the I-JEPA playground, for the reference trainer (facebookresearch/ijepa).',
    `# Playground run: ${c.totalSteps} steps of batch ${c.batchSize} on ${datasetSize} images = ${epochs} epochs of ${ipe} iterations;`,
    `# warm-up ${c.warmupSteps} steps. Loss: ${c.loss === 'smoothL1' ? 'smooth L1 (as the reference code)' : 'L2 (the reference code uses smooth L1)'}.`,
    ...(c.maskStrategy === 'multiblock'
      ? []
      : [`# Masks: the playground trained ${c.maskStrategy} masks (the paper's ablation); the reference trainer draws multi-block only.`]),
    ...(c.predictionTarget === 'pixels'
      ? ["# Targets: the playground predicted pixels (the paper's ablation); the reference trainer predicts representations only."]
      : []),
    exact
      ? `# Model: ${exact} (embed_dim ${c.embedDim}, depth ${c.depth}, heads ${c.numHeads}), exactly as the playground trained it.`
      : `# Model: the playground used embed_dim ${c.embedDim}, depth ${c.depth}, heads ${c.numHeads}, mlp_ratio ${c.mlpRatio}; the reference` +
        `\n# only builds named sizes, so model_name is the nearest (${modelName}) and this run starts afresh: a playground` +
        `\n# checkpoint of this model cannot be loaded by it. Train the vit_tiny preset to continue a run at scale.`,
    ...(resume
      ? [
          `# Resumes from ${options.readCheckpoint} (epoch ${options.completedEpochs ?? 0}): put it in logging.folder; the trainer replays`,
          '# the schedules of the epochs done, for the epochs and iterations per epoch of YOUR data, so set epochs to the',
          '# length you want. The reference catches every loading error and starts at epoch 0: check its log says',
          "# 'loaded pretrained encoder from epoch N'.",
        ]
      : []),
    '# Set root_path / image_folder to your data (images in <root_path>/<image_folder>/train/<class>/), then run',
    '# `python main.py --fname <this file> --devices cuda:0 [cuda:1 ...]` in a checkout of facebookresearch/ijepa.',
  ].join('\n');
  return `${header}\n${stringify(doc)}`;
}
