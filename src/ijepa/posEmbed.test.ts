import { describe, expect, it } from 'vitest';
import { presetConfig } from './config';
import { encoderPosEmbed, sinCosPosEmbed } from './posEmbed';

describe('2-D sin-cos position embedding', () => {
  it('matches a hand-computed case: x in the first half, y in the second, [sin | cos] each', () => {
    // D = 8 on a 2x2 grid: D/4 = 2 frequencies, omega = [1, 1/10000^(1/2)] = [1, 0.01]
    const table = sinCosPosEmbed(8, 2);
    const row = (cell: number) => Array.from(table.subarray(cell * 8, cell * 8 + 8));
    const expected = (x: number, y: number) => [
      Math.sin(x),
      Math.sin(x * 0.01),
      Math.cos(x),
      Math.cos(x * 0.01),
      Math.sin(y),
      Math.sin(y * 0.01),
      Math.cos(y),
      Math.cos(y * 0.01),
    ];
    // cell index = row * W + col
    expect(row(0)).toEqual(expected(0, 0).map(Math.fround));
    row(1).forEach((v, i) => expect(v).toBeCloseTo(expected(1, 0)[i], 6)); // col 1, row 0
    row(2).forEach((v, i) => expect(v).toBeCloseTo(expected(0, 1)[i], 6)); // col 0, row 1
    row(3).forEach((v, i) => expect(v).toBeCloseTo(expected(1, 1)[i], 6));
  });

  it('rejects widths not divisible by 4', () => {
    expect(() => sinCosPosEmbed(6, 2)).toThrow(/divisible by 4/);
  });

  it("the encoder's table is the sin-cos code times posEmbedScale (1: the reference's, unchanged)", () => {
    const config = presetConfig('micro', { embedDim: 8, cropSize: 12, patchSize: 4 });
    const plain = sinCosPosEmbed(8, 3);
    expect(encoderPosEmbed({ ...config, posEmbedScale: 1 })).toEqual(plain);
    expect(encoderPosEmbed({ ...config, posEmbedScale: 0.25 })).toEqual(plain.map((v) => v * 0.25));
  });
});
