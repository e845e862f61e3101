// The masking strategies the I-JEPA paper compared multi-block against (section 7 / Table 6, ViT-B/16,
// linear probe on 1% of ImageNet: multi-block 54.2%, rasterized 15.5%, block 20.2%, random 17.6%).
// In all three the context is the complement of the targets:
// - rasterized: the image in four quadrants; one quadrant is the context, the other three are the targets;
// - block: one target block of 60% of the image (square here: the paper gives no aspect ratio, and one
//   fixed size keeps every cell of it a target);
// - random: 60% of the patches, drawn at random (not contiguous), as the target.
// Token counts are fixed for the run, as for multi-block (docs/IJEPA_SPEC.md section 6): a block
// larger than the count keeps a random subset of its cells.
import { blockAreaRange, blockSizeFor, rectCells, type Block, type BlockRect, type BlockSize } from './blocks';
import type { MaskStrategy, Range } from './config';
import { sampleSorted, type Rng } from './rng';

export type AblationStrategy = Exclude<MaskStrategy, 'multiblock'>;

/** What each strategy is, in a few words (the settings and the mask panel say it). */
export const MASK_STRATEGY_LABELS: Record<MaskStrategy, string> = {
  multiblock: 'multi-block (I-JEPA: 4 target blocks from one large context block)',
  rasterized: 'rasterized (one quadrant predicts the other three)',
  block: 'block (one 60% block, predicted from the rest)',
  random: 'random (60% of the patches, predicted from the rest)',
};

const BLOCK_SCALE: Range = [0.6, 0.6]; // 'block': the target's share of the image
const BLOCK_ASPECT: Range = [1, 1];
const RANDOM_TARGET_SHARE = 0.6; // 'random': the share of patches predicted
const QUADRANTS = 4;

export interface AblationPlan {
  numTargets: number;
  contextTokens: number; // Kc
  targetTokens: number; // Kt
  targetArea: { min: number; max: number }; // cells of one target block before its Kt-subset
}

/** The four quadrants of the grid (an odd grid splits one row and column off-centre). */
function quadrants(grid: number): BlockRect[] {
  const h = Math.floor(grid / 2);
  const spans = [
    [0, h],
    [h, grid - h],
  ];
  return spans.flatMap(([top, height]) => spans.map(([left, width]) => ({ top, left, height, width })));
}

const wholeGrid = (grid: number): BlockRect => ({ top: 0, left: 0, height: grid, width: grid });

export function ablationPlan(strategy: AblationStrategy, grid: number): AblationPlan {
  const N = grid * grid;
  switch (strategy) {
    case 'rasterized': {
      const areas = quadrants(grid).map((q) => q.height * q.width);
      const smallest = Math.min(...areas);
      return {
        numTargets: QUADRANTS - 1,
        contextTokens: smallest,
        targetTokens: smallest,
        targetArea: { min: smallest, max: Math.max(...areas) },
      };
    }
    case 'block': {
      const area = blockAreaRange(BLOCK_SCALE, BLOCK_ASPECT, grid);
      return { numTargets: 1, contextTokens: N - area.max, targetTokens: area.min, targetArea: area };
    }
    case 'random': {
      const targetTokens = Math.round(RANDOM_TARGET_SHARE * N);
      return { numTargets: 1, contextTokens: N - targetTokens, targetTokens, targetArea: { min: targetTokens, max: targetTokens } };
    }
  }
}

/** The size every target of a batch shares ('block': one draw per batch, as multi-block's sizes). */
export function ablationTargetSize(rng: Rng, strategy: AblationStrategy, grid: number): BlockSize {
  if (strategy === 'block') return blockSizeFor(rng.next(), BLOCK_SCALE, BLOCK_ASPECT, grid);
  if (strategy === 'rasterized') return { height: Math.floor(grid / 2), width: Math.floor(grid / 2) };
  return { height: grid, width: grid }; // random: no block; its cells are anywhere
}

/** One image's targets and context under `strategy`; the context is every cell no target holds. */
export function sampleAblationImage(
  rng: Rng,
  strategy: AblationStrategy,
  grid: number,
  targetSize: BlockSize,
  targetTokens: number,
): { context: Block; targets: Block[] } {
  const all = Array.from({ length: grid * grid }, (_, cell) => cell);
  if (strategy === 'rasterized') {
    const parts = quadrants(grid);
    const [context] = parts.splice(rng.int(0, QUADRANTS), 1);
    return {
      context: { cells: rectCells(context, grid), rect: context },
      targets: parts.map((rect) => ({ cells: rectCells(rect, grid), rect })),
    };
  }
  const block = { top: rng.int(0, grid - targetSize.height + 1), left: rng.int(0, grid - targetSize.width + 1), ...targetSize };
  const targets: Block[] =
    strategy === 'block'
      ? [{ cells: rectCells(block, grid), rect: block }]
      : [{ cells: sampleSorted(rng, all, targetTokens), rect: wholeGrid(grid) }];
  const predicted = new Set(targets.flatMap((t) => t.cells));
  return { context: { cells: all.filter((cell) => !predicted.has(cell)), rect: wholeGrid(grid) }, targets };
}
