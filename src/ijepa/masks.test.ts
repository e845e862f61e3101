import { describe, expect, it } from 'vitest';
import { presetConfig, type IJepaConfig } from './config';
import { rectCells } from './blocks';
import { blockSizeFor, planMasks, sampleMaskBatch, type MaskBatch } from './masks';

function draw(config: IJepaConfig, batches: number): MaskBatch[] {
  const plan = planMasks(config);
  return Array.from({ length: batches }, (_, i) => sampleMaskBatch(config, plan, i));
}

function rows(idx: Int32Array, perRow: number): number[][] {
  return Array.from({ length: idx.length / perRow }, (_, r) => Array.from(idx.subarray(r * perRow, (r + 1) * perRow)));
}

describe('block sizes (reference _sample_block_size)', () => {
  it('matches hand-computed sizes on the 8x8 and 14x14 grids', () => {
    // u = 0 on 8x8: maxKeep = floor(64 * 0.15) = 9, ar 0.75: h = round(sqrt(6.75)) = 3, w = round(sqrt(12)) = 3
    expect(blockSizeFor(0, [0.15, 0.2], [0.75, 1.5], 8)).toEqual({ height: 3, width: 3 });
    // u = 1 on 8x8: maxKeep = 12, ar 1.5: h = round(sqrt(18)) = 4, w = round(sqrt(8)) = 3
    expect(blockSizeFor(1, [0.15, 0.2], [0.75, 1.5], 8)).toEqual({ height: 4, width: 3 });
    // context on 8x8: sqrt(floor(64 * 0.85)) = 7.35 -> 7; at scale 1.0: 8, clipped to H - 1 = 7
    expect(blockSizeFor(0, [0.85, 1], [1, 1], 8)).toEqual({ height: 7, width: 7 });
    expect(blockSizeFor(1, [0.85, 1], [1, 1], 8)).toEqual({ height: 7, width: 7 });
    // u = 0 on 14x14: maxKeep = floor(196 * 0.15) = 29: h = round(4.66) = 5, w = round(6.22) = 6
    expect(blockSizeFor(0, [0.15, 0.2], [0.75, 1.5], 14)).toEqual({ height: 5, width: 6 });
  });
});

describe('multi-block masks', () => {
  const micro = presetConfig('micro');
  const small = presetConfig('small');

  it('plans fixed counts: Kt = smallest target area, Kc below the usual context length', () => {
    const plan = planMasks(micro);
    expect(plan.targetArea).toEqual({ min: 9, max: 12 }); // docs/IJEPA_SPEC.md: 9-12 tokens at 8x8
    expect(plan.targetTokens).toBe(9);
    expect(plan.contextTokens).toBeGreaterThan(micro.minKeep);
    expect(plan.contextTokens).toBeLessThan(49); // below the 7x7 context block
  });

  it('never puts a target patch in the context, and every shape is fixed', () => {
    let overlaps = 0;
    for (const config of [micro, small]) {
      const plan = planMasks(config);
      for (const m of draw(config, 400)) {
        expect(m.contextIdx.length).toBe(config.batchSize * plan.contextTokens);
        expect(m.targetIdx.length).toBe(config.numPredMasks * config.batchSize * plan.targetTokens);
        const contexts = rows(m.contextIdx, m.contextTokens);
        for (let j = 0; j < m.numTargets; j++) {
          for (let b = 0; b < m.batchSize; b++) {
            const rect = m.targetRects[j * m.batchSize + b];
            // no context patch lies inside any of this image's target rectangles
            for (const cell of contexts[b]) {
              const r = Math.floor(cell / plan.grid),
                c = cell % plan.grid;
              if (r >= rect.top && r < rect.top + rect.height && c >= rect.left && c < rect.left + rect.width) overlaps++;
            }
          }
        }
      }
    }
    expect(overlaps).toBe(0);
  });

  it('keeps target indices inside their block and context indices inside theirs', () => {
    const m = draw(micro, 1)[0];
    const grid = 8;
    const inRect = (cell: number, r: { top: number; left: number; height: number; width: number }) => {
      const row = Math.floor(cell / grid),
        col = cell % grid;
      return row >= r.top && row < r.top + r.height && col >= r.left && col < r.left + r.width;
    };
    rows(m.targetIdx, m.targetTokens).forEach((cells, k) => {
      expect(new Set(cells).size).toBe(cells.length);
      for (const cell of cells) expect(inRect(cell, m.targetRects[k])).toBe(true);
      expect(m.targetRects[k].height * m.targetRects[k].width).toBe(m.targetSize.height * m.targetSize.width);
    });
    rows(m.contextIdx, m.contextTokens).forEach((cells, b) => {
      for (const cell of cells) expect(inRect(cell, m.contextRects[b])).toBe(true);
    });
  });

  it('flat indices address rows of a flattened [B * N, D] tensor, mask-major for targets', () => {
    const m = draw(micro, 1)[0];
    const N = 64;
    m.contextFlat.forEach((row, i) => expect(row).toBe(m.contextIdx[i] + Math.floor(i / m.contextTokens) * N));
    m.targetFlat.forEach((row, i) => {
      const b = Math.floor(i / m.targetTokens) % m.batchSize; // row (j * B + b)
      expect(row).toBe(m.targetIdx[i] + b * N);
    });
  });

  it('reaches every grid cell, the last row and column included', () => {
    for (const config of [micro, small]) {
      const grid = planMasks(config).grid;
      const seenTarget = new Set<number>();
      const seenContext = new Set<number>();
      for (const m of draw(config, 300)) {
        m.targetIdx.forEach((c) => seenTarget.add(c));
        m.contextIdx.forEach((c) => seenContext.add(c));
      }
      expect(seenTarget.size).toBe(grid * grid);
      expect(seenContext.size).toBe(grid * grid);
    }
  });

  it('same seed, same masks; another seed, other masks', () => {
    const plan = planMasks(micro);
    const a = sampleMaskBatch(micro, plan, 7);
    const b = sampleMaskBatch(micro, plan, 7);
    const c = sampleMaskBatch({ ...micro, seed: 1 }, plan, 7);
    expect(Array.from(a.contextIdx)).toEqual(Array.from(b.contextIdx));
    expect(Array.from(a.targetIdx)).toEqual(Array.from(b.targetIdx));
    expect(a.targetRects).toEqual(b.targetRects);
    expect(Array.from(a.targetIdx)).not.toEqual(Array.from(c.targetIdx));
  });

  it('matches the reference statistics on the small (16x16) grid', () => {
    const config = small;
    const plan = planMasks(config);
    const N = plan.numPatches;
    const batches = draw(config, 500);
    let blockCoverage = 0;
    let blocks = 0;
    let resampled = 0;
    for (const m of batches) {
      for (const rect of m.targetRects) {
        const coverage = (rect.height * rect.width) / N;
        // rounding h and w to whole patches moves a block's area a little outside 15-20%
        expect(coverage).toBeGreaterThanOrEqual(plan.targetArea.min / N);
        expect(coverage).toBeLessThanOrEqual(plan.targetArea.max / N);
        blockCoverage += coverage;
        blocks++;
      }
      resampled += m.resampledImages;
    }
    const meanTarget = blockCoverage / blocks;
    const contextCoverage = plan.contextTokens / N;
    console.log(
      `small grid: mean target block ${(100 * meanTarget).toFixed(1)}% (Kt ${plan.targetTokens} = ` +
        `${((100 * plan.targetTokens) / N).toFixed(1)}%), context Kc ${plan.contextTokens} = ${(100 * contextCoverage).toFixed(1)}%, ` +
        `images redrawn ${((100 * resampled) / (batches.length * config.batchSize)).toFixed(2)}%`,
    );
    expect(meanTarget).toBeGreaterThanOrEqual(0.15);
    expect(meanTarget).toBeLessThanOrEqual(0.2);
    expect(contextCoverage).toBeGreaterThan(0.2);
    expect(contextCoverage).toBeLessThan(0.33);
    expect(resampled / (batches.length * config.batchSize)).toBeLessThan(0.1);
  });

  it('relaxes constraints instead of looping forever when targets cover the context', () => {
    // 3x3 grid: a 2x2 context block minus four 2x2 targets is usually empty; the relax rule must end it.
    const config = presetConfig('micro', {
      cropSize: 12,
      patchSize: 4,
      minKeep: 0,
      batchSize: 4,
      predMaskScale: [0.4, 0.45],
      aspectRatio: [1, 1],
      encMaskScale: [0.4, 0.45],
    });
    const plan = planMasks(config);
    const m = sampleMaskBatch(config, plan, 0);
    expect(m.contextIdx.length).toBe(4 * plan.contextTokens);
  });
});

describe("the paper's masking ablation (rasterized, block, random: the context is the targets' complement)", () => {
  const paper = { rasterized: { targets: 3, context: 0.25 }, block: { targets: 1, context: 0.4 }, random: { targets: 1, context: 0.4 } };

  for (const preset of ['tiny', 'small'] as const) {
    for (const strategy of ['rasterized', 'block', 'random'] as const) {
      it(`${strategy} on the ${preset} grid: the paper's target count and context share, targets and context disjoint, fixed shapes`, () => {
        const config = presetConfig(preset, { maskStrategy: strategy });
        const plan = planMasks(config);
        const N = plan.numPatches;
        expect(plan.numTargets).toBe(paper[strategy].targets);
        // rasterized: one quadrant of four; block: the complement of a 60% block; random: 40% of the patches
        expect(plan.contextTokens / N).toBeCloseTo(paper[strategy].context, 1);
        const seenContext = new Set<number>();
        for (const m of draw(config, 25)) {
          expect(m.strategy).toBe(strategy);
          expect(m.contextIdx.length).toBe(config.batchSize * plan.contextTokens);
          expect(m.targetIdx.length).toBe(plan.numTargets * config.batchSize * plan.targetTokens);
          const contexts = rows(m.contextIdx, m.contextTokens);
          const targets = rows(m.targetIdx, m.targetTokens); // row j * B + b
          for (let b = 0; b < m.batchSize; b++) {
            const blocks = Array.from({ length: m.numTargets }, (_, j) =>
              strategy === 'random' ? targets[j * m.batchSize + b] : rectCells(m.targetRects[j * m.batchSize + b], plan.grid),
            );
            const predicted = new Set(blocks.flat());
            expect(contexts[b].filter((cell) => predicted.has(cell))).toEqual([]);
            expect(new Set(contexts[b]).size).toBe(plan.contextTokens); // no cell twice
            contexts[b].forEach((cell) => seenContext.add(cell));
            if (strategy === 'rasterized') {
              // the three target quadrants and the context quadrant tile the grid
              expect(predicted.size + plan.contextTokens).toBe(N);
              for (const block of blocks) expect(block.length).toBe(N / 4);
            }
            if (strategy === 'block') {
              expect(blocks[0].length).toBe(plan.targetTokens); // one square size: every cell of it predicted
              expect(blocks[0].length / N).toBeCloseTo(0.6, 1);
              expect(predicted.size + plan.contextTokens).toBe(N);
            }
            if (strategy === 'random') expect(predicted.size + plan.contextTokens).toBe(N); // exactly the complement
          }
        }
        // every cell is sometimes context (rasterized rotates the context quadrant); a 60% block always
        // covers the grid's centre
        if (strategy !== 'block') expect(seenContext.size).toBe(N);
        else expect(seenContext.size).toBeGreaterThan(N / 2);
      });
    }
  }

  it('random targets are scattered, not a block; the multi-block default is untouched', () => {
    const config = presetConfig('tiny', { maskStrategy: 'random' });
    const m = draw(config, 1)[0];
    const cells = Array.from(m.targetIdx.subarray(0, m.targetTokens));
    const rowsHit = new Set(cells.map((c) => Math.floor(c / 8)));
    const colsHit = new Set(cells.map((c) => c % 8));
    expect(rowsHit.size * colsHit.size).toBeGreaterThan(cells.length); // not a filled rectangle
    const multi = presetConfig('tiny');
    expect(planMasks(multi)).toMatchObject({ strategy: 'multiblock', numTargets: multi.numPredMasks });
    expect(sampleMaskBatch(multi, planMasks(multi), 3)).toEqual(
      sampleMaskBatch({ ...multi, maskStrategy: 'multiblock' }, planMasks(multi), 3),
    );
  });
});
