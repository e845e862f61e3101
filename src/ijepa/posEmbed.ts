// Fixed 2-D sin-cos position embedding (reference: get_2d_sincos_pos_embed in src/models/
// vision_transformer.py): first half of the channels encodes the column (x), second half the row
// (y); each half is [sin | cos] with omega_m = 1 / 10000^(m / (D/4)).
import { gridSize, type IJepaConfig } from './config';

/** Row-major [N, D] table for a grid x grid patch layout (patch index = row * grid + col). */
export function sinCosPosEmbed(dim: number, grid: number): Float32Array {
  if (dim % 4 !== 0) throw new Error(`sin-cos position embedding needs a width divisible by 4 (got ${dim})`);
  const quarter = dim / 4;
  const table = new Float32Array(grid * grid * dim);
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const base = (row * grid + col) * dim;
      for (let m = 0; m < quarter; m++) {
        const omega = 1 / 10000 ** (m / quarter);
        table[base + m] = Math.sin(col * omega);
        table[base + quarter + m] = Math.cos(col * omega);
        table[base + 2 * quarter + m] = Math.sin(row * omega);
        table[base + 3 * quarter + m] = Math.cos(row * omega);
      }
    }
  }
  return table;
}

/** The encoder's table: the sin-cos code times `posEmbedScale` (the reference's is 1). Smaller, the
 *  position code weighs less against a small patch's content in every token (docs/LEARNING.md). */
export function encoderPosEmbed(config: IJepaConfig): Float32Array {
  const table = sinCosPosEmbed(config.embedDim, gridSize(config));
  if (config.posEmbedScale !== 1) for (let i = 0; i < table.length; i++) table[i] *= config.posEmbedScale;
  return table;
}
