// Multi-block masks (reference: src/masks/multiblock.py), with docs/IJEPA_SPEC.md section 6's deviations:
// placement reaches the last row/column, and every image gets a FIXED number of context tokens (Kc)
// and target tokens per block (Kt), so no tensor shape ever changes between steps. The paper's other
// strategies (`maskStrategy`: rasterized, block, random) are drawn by ./ablationMasks.ts and packed here alike.
import { ablationPlan, ablationTargetSize, sampleAblationImage } from './ablationMasks';
import { blockAreaRange, blockSizeFor, type Block, type BlockRect, type BlockSize } from './blocks';
import { gridSize, type IJepaConfig, type MaskStrategy } from './config';
import { createRng, sampleSorted, type Rng } from './rng';

export { blockAreaRange, blockSizeFor, type BlockRect, type BlockSize } from './blocks';

/** Token counts fixed for a whole run (see `planMasks`). */
export interface MaskPlan {
  strategy: MaskStrategy;
  grid: number; // H = W
  numPatches: number; // N = H * W
  numTargets: number; // npred: target blocks per image (multi-block: numPredMasks)
  contextTokens: number; // Kc: context tokens per image
  targetTokens: number; // Kt: tokens per target block
  targetArea: { min: number; max: number }; // h*w of a target block over the whole size range
}

/** One batch's masks: what the step gathers and what the mask panel draws. */
export interface MaskBatch {
  strategy: MaskStrategy;
  batchIndex: number;
  batchSize: number; // B
  numTargets: number; // npred
  contextTokens: number; // Kc
  targetTokens: number; // Kt
  targetSize: BlockSize; // shared by every target block of the batch
  contextSize: BlockSize; // shared by every context block of the batch
  contextIdx: Int32Array; // [B, Kc] patch index (row * W + col), ascending per image
  targetIdx: Int32Array; // [npred, B, Kt] mask-major like the reference's apply_masks
  contextFlat: Int32Array; // contextIdx + b * N: rows of a flattened [B * N, D] tensor
  targetFlat: Int32Array; // targetIdx + b * N
  contextRects: BlockRect[]; // [B]
  targetRects: BlockRect[]; // [npred * B], mask-major
  resampledImages: number; // images drawn again because their context fell short of Kc
}

const PLACEMENT_TIMEOUT = 20; // the reference's tries before one constraint is dropped
const CONTEXT_RESAMPLES = 50; // redraws of one image whose context is shorter than Kc
const PLAN_BATCHES = 64; // simulated batches used to choose Kc

/** The reference's _sample_block_mask: place a block uniformly (last row/column included), drop the
 *  cells outside every acceptable region; after PLACEMENT_TIMEOUT failures drop the last constraint. */
function sampleBlock(rng: Rng, size: BlockSize, grid: number, minKeep: number, acceptable: Uint8Array[]): Block {
  let tries = 0;
  let timeout = PLACEMENT_TIMEOUT;
  for (;;) {
    const top = rng.int(0, grid - size.height + 1);
    const left = rng.int(0, grid - size.width + 1);
    const constraints = acceptable.slice(0, Math.max(acceptable.length - tries, 0));
    const cells: number[] = [];
    for (let r = top; r < top + size.height; r++) {
      for (let c = left; c < left + size.width; c++) {
        const cell = r * grid + c;
        if (constraints.every((region) => region[cell] === 1)) cells.push(cell);
      }
    }
    if (cells.length > minKeep) return { cells, rect: { top, left, ...size } };
    if (--timeout === 0) {
      tries++;
      timeout = PLACEMENT_TIMEOUT;
    }
  }
}

function complementOf(rect: BlockRect, grid: number): Uint8Array {
  const region = new Uint8Array(grid * grid).fill(1);
  for (let r = rect.top; r < rect.top + rect.height; r++) region.fill(0, r * grid + rect.left, r * grid + rect.left + rect.width);
  return region;
}

interface ImageMasks {
  context: Block;
  targets: Block[];
}

/** One image: npred target blocks, then the context block with every target cell removed. */
function sampleImage(rng: Rng, config: IJepaConfig, grid: number, targetSize: BlockSize, contextSize: BlockSize): ImageMasks {
  const targets: Block[] = [];
  for (let j = 0; j < config.numPredMasks; j++) targets.push(sampleBlock(rng, targetSize, grid, config.minKeep, []));
  const acceptable = config.allowOverlap ? [] : targets.map((t) => complementOf(t.rect, grid));
  return { targets, context: sampleBlock(rng, contextSize, grid, config.minKeep, acceptable) };
}

function batchSizes(rng: Rng, config: IJepaConfig, grid: number) {
  const targetSize = blockSizeFor(rng.next(), config.predMaskScale, config.aspectRatio, grid);
  const contextSize = blockSizeFor(rng.next(), config.encMaskScale, [1, 1], grid);
  return { targetSize, contextSize };
}

/** The sizes a batch shares and how one of its images is drawn, under the plan's strategy. */
function batchSampler(rng: Rng, config: IJepaConfig, plan: MaskPlan) {
  const { strategy, grid } = plan;
  if (strategy === 'multiblock') {
    const { targetSize, contextSize } = batchSizes(rng, config, grid);
    return { targetSize, contextSize, sampleImage: () => sampleImage(rng, config, grid, targetSize, contextSize) };
  }
  const targetSize = ablationTargetSize(rng, strategy, grid);
  const contextSize = strategy === 'rasterized' ? targetSize : { height: grid, width: grid }; // a quadrant, or the complement
  return { targetSize, contextSize, sampleImage: () => sampleAblationImage(rng, strategy, grid, targetSize, plan.targetTokens) };
}

/**
 * Chooses the run's fixed token counts. Kt = the smallest target area the size range allows, so
 * every block keeps a random Kt-subset of its cells. Kc = the median, over simulated batches of
 * this batch size, of the batch's shortest context: the reference cuts every context of a batch
 * to that minimum, so this reproduces its context statistics with a shape that never changes.
 */
export function planMasks(config: IJepaConfig): MaskPlan {
  const grid = gridSize(config);
  const strategy = config.maskStrategy;
  if (strategy !== 'multiblock') return { strategy, grid, numPatches: grid * grid, ...ablationPlan(strategy, grid) };
  const targetArea = blockAreaRange(config.predMaskScale, config.aspectRatio, grid);
  const rng = createRng(0x6d61736b, grid); // fixed stream: the plan depends on geometry, not on the seed
  const batchMinimums: number[] = [];
  for (let s = 0; s < PLAN_BATCHES; s++) {
    const { targetSize, contextSize } = batchSizes(rng, config, grid);
    let shortest = Infinity;
    for (let b = 0; b < config.batchSize; b++) {
      shortest = Math.min(shortest, sampleImage(rng, config, grid, targetSize, contextSize).context.cells.length);
    }
    batchMinimums.push(shortest);
  }
  batchMinimums.sort((x, y) => x - y);
  return {
    strategy,
    grid,
    numPatches: grid * grid,
    numTargets: config.numPredMasks,
    contextTokens: batchMinimums[Math.floor(PLAN_BATCHES / 2)],
    targetTokens: targetArea.min,
    targetArea,
  };
}

/** Masks for batch number `batchIndex`: one generator seeded by (seed, batchIndex) draws them all. */
export function sampleMaskBatch(config: IJepaConfig, plan: MaskPlan, batchIndex: number): MaskBatch {
  const { strategy, numPatches, numTargets: npred, contextTokens: Kc, targetTokens: Kt } = plan;
  const B = config.batchSize;
  const rng = createRng(config.seed, batchIndex);
  const { targetSize, contextSize, sampleImage } = batchSampler(rng, config, plan);

  const contextIdx = new Int32Array(B * Kc);
  const targetIdx = new Int32Array(npred * B * Kt);
  const contextRects: BlockRect[] = [];
  const targetRects: BlockRect[] = new Array(npred * B);
  let resampledImages = 0;

  for (let b = 0; b < B; b++) {
    let image = sampleImage();
    let redraws = 0;
    for (; image.context.cells.length < Kc && redraws < CONTEXT_RESAMPLES; redraws++) image = sampleImage();
    if (redraws > 0) resampledImages++;
    const context = fixedCount(rng, image.context.cells, Kc);
    contextIdx.set(context, b * Kc);
    contextRects.push(image.context.rect);
    image.targets.forEach((target, j) => {
      targetIdx.set(sampleSorted(rng, target.cells, Kt), (j * B + b) * Kt);
      targetRects[j * B + b] = target.rect;
    });
  }

  return {
    strategy,
    batchIndex,
    batchSize: B,
    numTargets: npred,
    contextTokens: Kc,
    targetTokens: Kt,
    targetSize,
    contextSize,
    contextIdx,
    targetIdx,
    contextFlat: flatRows(contextIdx, Kc, B, numPatches),
    targetFlat: flatRows(targetIdx, Kt, B, numPatches),
    contextRects,
    targetRects,
    resampledImages,
  };
}

/** Cell indices -> rows of a flattened [B * N, D] tensor; lists of `perImage` cells cycle over the batch. */
function flatRows(idx: Int32Array, perImage: number, batchSize: number, numPatches: number): Int32Array {
  return idx.map((cell, i) => cell + (Math.floor(i / perImage) % batchSize) * numPatches);
}

/** Exactly k cells: a random subset when longer; when shorter (rare: after CONTEXT_RESAMPLES
 *  redraws), the cells repeated in order, which keeps every token a real context patch. */
function fixedCount(rng: Rng, cells: number[], k: number): number[] {
  if (cells.length >= k) return sampleSorted(rng, cells, k);
  return Array.from({ length: k }, (_, i) => cells[i % cells.length]);
}

/** A MaskBatch from index lists made elsewhere (e.g. the reference's collator): `contextIdx`
 *  [B, Kc] and mask-major `targetIdx` [npred, B, Kt]. Rectangles are the indices' bounding boxes. */
export function maskBatchFromIndices(
  contextIdx: Int32Array,
  targetIdx: Int32Array,
  batchSize: number,
  numTargets: number,
  grid: number,
): MaskBatch {
  const N = grid * grid;
  const Kc = contextIdx.length / batchSize;
  const Kt = targetIdx.length / (numTargets * batchSize);
  const boundingBox = (cells: Int32Array): BlockRect => {
    const rows = Array.from(cells, (c) => Math.floor(c / grid));
    const cols = Array.from(cells, (c) => c % grid);
    const top = Math.min(...rows),
      left = Math.min(...cols);
    return { top, left, height: Math.max(...rows) - top + 1, width: Math.max(...cols) - left + 1 };
  };
  const rectsOf = (idx: Int32Array, k: number) =>
    Array.from({ length: idx.length / k }, (_, r) => boundingBox(idx.subarray(r * k, (r + 1) * k)));
  const targetRects = rectsOf(targetIdx, Kt);
  const contextRects = rectsOf(contextIdx, Kc);
  return {
    strategy: 'multiblock',
    batchIndex: 0,
    batchSize,
    numTargets,
    contextTokens: Kc,
    targetTokens: Kt,
    targetSize: { height: targetRects[0].height, width: targetRects[0].width },
    contextSize: { height: contextRects[0].height, width: contextRects[0].width },
    contextIdx,
    targetIdx,
    contextFlat: flatRows(contextIdx, Kc, batchSize, N),
    targetFlat: flatRows(targetIdx, Kt, batchSize, N),
    contextRects,
    targetRects,
    resampledImages: 0,
  };
}
