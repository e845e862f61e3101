// The multi-parameter WebGPU updates' bookkeeping, in Node (their values are checked against the plain
// ops on WebGPU by e2e/kernels.spec.ts).
import { describe, expect, it } from 'vitest';
import { ADAMW_PER_DISPATCH, EMA_PER_DISPATCH, adamWShader, emaShader, groupsOf, starts } from './webgpuMulti';

const storageBindings = (shader: string) => shader.match(/var<storage/g)?.length ?? 0;
const writableBindings = (shader: string) => shader.match(/var<storage, read_write>/g)?.length ?? 0;

describe('multi-parameter updates on WebGPU', () => {
  it("fit WebGPU's 8 storage buffers per dispatch, tfjs' device limit", () => {
    expect(storageBindings(adamWShader(ADAMW_PER_DISPATCH))).toBe(8);
    expect(writableBindings(adamWShader(ADAMW_PER_DISPATCH))).toBe(2 + ADAMW_PER_DISPATCH); // m, v and each parameter
    expect(storageBindings(emaShader(EMA_PER_DISPATCH))).toBe(8);
    expect(writableBindings(emaShader(EMA_PER_DISPATCH))).toBe(EMA_PER_DISPATCH);
  });

  it('gives each parameter its own thread range and branch (the last group shorter)', () => {
    expect(groupsOf([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(groupsOf([], 3)).toEqual([]);
    expect(starts([192, 64, 3])).toEqual([0, 192, 256, 259]);
    const shader = emaShader(2);
    expect(shader).toContain('if (i < u.start1)');
    expect(shader).toContain('else if (i < u.start2)');
    expect(shader).not.toContain('start3');
  });

  it("counts the dispatches of a tiny step's optimizer: 95 parameters, 52 of them in the target encoder", () => {
    expect(groupsOf(Array.from({ length: 95 }), ADAMW_PER_DISPATCH)).toHaveLength(32);
    expect(groupsOf(Array.from({ length: 52 }), EMA_PER_DISPATCH)).toHaveLength(13);
  });
});
