import { describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { blocksForwardFlops, stepFlops } from './flops';
import { planMasks } from './masks';

describe('step FLOPs', () => {
  it('counts one block by hand', () => {
    // 1 sequence of 2 tokens, width 4, mlp 4: qkv 2*2*4*12, proj 2*2*4*4, fc1 and fc2 2*2*4*16 each, QK^T and AV 2*2*2*4 each
    expect(blocksForwardFlops(1, 2, 4, 1, 4)).toBe(192 + 64 + 256 + 256 + 64);
    expect(blocksForwardFlops(3, 2, 4, 2, 4)).toBe(2 * 3 * (192 + 64 + 256 + 256 + 64));
  });

  it('is forward-only for the target encoder and 3x forward for the trained parts', () => {
    const c = presetConfig('micro');
    const plan = planMasks(c);
    const f = stepFlops(c, plan);
    const patchEmbed = 2 * c.batchSize * 64 * 48 * c.embedDim;
    expect(f.targetEncoder).toBe(patchEmbed + blocksForwardFlops(c.batchSize, 64, c.embedDim, c.depth, 4));
    expect(f.contextEncoder).toBe(3 * (patchEmbed + blocksForwardFlops(c.batchSize, plan.contextTokens, c.embedDim, c.depth, 4)));
    expect(f.total).toBe(f.targetEncoder + f.contextEncoder + f.predictor);
  });

  it('grows with the preset: micro < tiny < small', () => {
    const total = (name: 'micro' | 'tiny' | 'small') => stepFlops(presetConfig(name), planMasks(presetConfig(name))).total;
    expect(total('micro')).toBeLessThan(total('tiny'));
    expect(total('tiny')).toBeLessThan(total('small'));
    // tiny: ~200k-parameter encoder, batch 64 -> a few GFLOP per step
    expect(total('tiny')).toBeGreaterThan(1e9);
    expect(total('tiny')).toBeLessThan(2e10);
  });
});
