// How the reference trainer (facebookresearch/ijepa) lays out a checkpoint, independent of the file
// format: its named model sizes, each module's state-dict order, and the AdamW parameter groups
// (src/helper.py `init_opt`) whose order numbers the optimizer state. docs/IJEPA_SPEC.md section 7.
import type { IJepaConfig } from '../config';
import { moduleShapes, type ModuleName } from '../model';
import { isDecayed } from '../optim';
import { torchShape } from '../layout';

/** The reference's ViT sizes (src/models/vision_transformer.py; all with mlp_ratio 4 but vit_giant,
 *  which is beyond any browser and left out). */
export const REFERENCE_MODELS = [
  { name: 'vit_tiny', embedDim: 192, depth: 12, numHeads: 3 },
  { name: 'vit_small', embedDim: 384, depth: 12, numHeads: 6 },
  { name: 'vit_base', embedDim: 768, depth: 12, numHeads: 12 },
  { name: 'vit_large', embedDim: 1024, depth: 24, numHeads: 16 },
  { name: 'vit_huge', embedDim: 1280, depth: 32, numHeads: 16 },
] as const;

/** The named reference model this config builds exactly, or null: the reference trainer builds only these. */
export function referenceModelOf(c: Pick<IJepaConfig, 'embedDim' | 'depth' | 'numHeads' | 'mlpRatio'>): string | null {
  const m = REFERENCE_MODELS.find((r) => r.embedDim === c.embedDim && r.depth === c.depth && r.numHeads === c.numHeads && c.mlpRatio === 4);
  return m?.name ?? null;
}

/** The named reference model nearest in width (what the YAML names when none matches exactly). */
export function nearestReferenceModel(embedDim: number): string {
  return REFERENCE_MODELS.reduce((best, m) => (Math.abs(m.embedDim - embedDim) < Math.abs(best.embedDim - embedDim) ? m : best)).name;
}

/** The reference trains on `floor(images / batch)` iterations per epoch (drop_last, one GPU). */
export const iterationsPerEpoch = (datasetSize: number, batchSize: number) => Math.max(1, Math.floor(datasetSize / batchSize));

/** A module's fixed sin-cos table: a parameter (requires_grad=False) in the reference, not in ours. */
export const posEmbedName = (module: ModuleName) => (module === 'predictor' ? 'predictor_pos_embed' : 'pos_embed');

/** A module's state-dict names in PyTorch's order (the module's own parameters first, in the order
 *  its __init__ registers them, then its submodules'), with the tfjs shape (null: the fixed table). */
export function stateDictOrder(c: IJepaConfig, module: ModuleName): [string, number[] | null][] {
  const shapes = Object.entries(moduleShapes(c, module));
  const own = module === 'predictor' ? ['mask_token', 'predictor_pos_embed'] : ['pos_embed'];
  return [
    ...own.map((name): [string, number[] | null] => [name, shapes.find(([n]) => n === name)?.[1] ?? null]),
    ...shapes.filter(([name]) => !own.includes(name)),
  ];
}

/** The parameter each optimizer-state index stands for: init_opt's four groups in order (encoder
 *  decayed, predictor decayed, encoder not decayed, predictor not decayed), each in named_parameters
 *  order. The fixed tables count (they are parameters there) but never get a state. */
export function optimizerGroups(c: IJepaConfig): { module: 'encoder' | 'predictor'; name: string; trainable: boolean }[][] {
  const groups: ReturnType<typeof optimizerGroups> = [[], [], [], []];
  for (const decayed of [true, false]) {
    for (const module of ['encoder', 'predictor'] as const) {
      for (const [name, shape] of stateDictOrder(c, module)) {
        const torch = shape ? torchShape(name, shape, c.patchSize) : [1, 1, 1];
        if (isDecayed(name, torch) === decayed)
          groups[(decayed ? 0 : 2) + (module === 'predictor' ? 1 : 0)].push({ module, name, trainable: shape !== null });
      }
    }
  }
  return groups;
}
