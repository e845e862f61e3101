// The reference trainer's named model sizes and what the page takes from it: pure (no tfjs), so
// the page's own thread can say whether a run is a reference model and check a file's size.
import type { IJepaConfig } from '../config';

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

/** The largest checkpoint file the page reads into memory (vit_small's with its optimizer is ~0.4 GB). */
export const MAX_CHECKPOINT_BYTES = 1024 ** 3;

/** The largest encoder the page takes: vit_small's 21.7M parameters; vit_base and up are for the
 *  reference trainer. */
export const MAX_ENCODER_PARAMS = 25_000_000;
