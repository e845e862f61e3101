// The run's config as the reference trainer's YAML (facebookresearch/ijepa configs/*.yaml), so the
// same run can be continued at scale with `python main.py --fname this.yaml`. Steps become epochs
// through the dataset size; widths the reference only knows by model name are written as comments.
import { stringify } from 'yaml';
import { CONFIG_FIELDS, CONFIG_KEYS, type IJepaConfig } from './config';

/** The reference's ViT sizes (src/models/vision_transformer.py). */
const REFERENCE_MODELS = [
  { name: 'vit_tiny', embedDim: 192, depth: 12, numHeads: 3 },
  { name: 'vit_small', embedDim: 384, depth: 12, numHeads: 6 },
  { name: 'vit_base', embedDim: 768, depth: 12, numHeads: 12 },
  { name: 'vit_large', embedDim: 1024, depth: 24, numHeads: 16 },
  { name: 'vit_huge', embedDim: 1280, depth: 32, numHeads: 16 },
];

export function closestReferenceModel(c: IJepaConfig): { name: string; exact: boolean } {
  const exact = REFERENCE_MODELS.find((m) => m.embedDim === c.embedDim && m.depth === c.depth && m.numHeads === c.numHeads);
  if (exact) return { name: exact.name, exact: true };
  const nearest = REFERENCE_MODELS.reduce((best, m) =>
    Math.abs(m.embedDim - c.embedDim) < Math.abs(best.embedDim - c.embedDim) ? m : best,
  );
  return { name: nearest.name, exact: false };
}

type Section = Record<string, unknown>;
const sorted = (section: Section): Section => Object.fromEntries(Object.entries(section).sort(([a], [b]) => a.localeCompare(b)));

export function referenceYaml(c: IJepaConfig, datasetSize: number): string {
  const iterationsPerEpoch = Math.max(1, Math.floor(datasetSize / c.batchSize));
  const epochs = Math.max(1, Math.ceil(c.totalSteps / iterationsPerEpoch));
  const model = closestReferenceModel(c);
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
    meta: { copy_data: false, load_checkpoint: false, model_name: model.name, read_checkpoint: null, use_bfloat16: true },
    optimization: { epochs, ipe_scale: 1.0, warmup: Math.round((c.warmupSteps / iterationsPerEpoch) * 100) / 100 },
  };
  for (const key of CONFIG_KEYS) {
    const { ref, yaml } = CONFIG_FIELDS[key];
    const value = c[key];
    if (yaml) sections[yaml.section][yaml.key ?? ref] = Array.isArray(value) ? [...value] : value;
  }
  const doc = Object.fromEntries(Object.entries(sections).map(([name, section]) => [name, sorted(section)]));
  const header = [
    '# I-JEPA config exported by the I-JEPA playground, for the reference trainer (facebookresearch/ijepa).',
    `# Playground run: ${c.totalSteps} steps of batch ${c.batchSize} on ${datasetSize} images = ${epochs} epochs of ${iterationsPerEpoch} iterations;`,
    `# warm-up ${c.warmupSteps} steps. Loss: ${c.loss === 'smoothL1' ? 'smooth L1 (as the reference code)' : 'L2 (the reference code uses smooth L1)'}.`,
    model.exact
      ? `# Model: ${model.name} (embed_dim ${c.embedDim}, depth ${c.depth}, heads ${c.numHeads}).`
      : `# Model: the playground used embed_dim ${c.embedDim}, depth ${c.depth}, heads ${c.numHeads}, mlp_ratio ${c.mlpRatio}; the reference` +
        `\n# only builds named sizes, so model_name is the nearest (${model.name}); its checkpoint names match ours.`,
    '# Set root_path / image_folder to your data before running `python main.py --fname <this file>`.',
  ].join('\n');
  return `${header}\n${stringify(doc)}`;
}
