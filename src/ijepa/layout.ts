// Conversion between our tfjs parameter layouts and the reference PyTorch state-dict layouts
// (docs/IJEPA_SPEC.md section 7): Linear weights [in, out] <-> [out, in]; the patch-embed conv
// [p*p*3, D] (rows in y, x, channel order) <-> [D, 3, p, p]; everything else unchanged.

export const PATCH_EMBED_WEIGHT = 'patch_embed.proj.weight';

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

const isLinearWeight = (name: string, shape: readonly number[]) => name.endsWith('.weight') && shape.length === 2;

/** PyTorch shape of a parameter given its name and tfjs shape. */
export function torchShape(name: string, tfShape: readonly number[], patchSize: number): number[] {
  if (name === PATCH_EMBED_WEIGHT) return [tfShape[1], tfShape[0] / (patchSize * patchSize), patchSize, patchSize];
  if (isLinearWeight(name, tfShape)) return [tfShape[1], tfShape[0]];
  return [...tfShape];
}

/** A parameter (or its moments) in PyTorch's shape and layout. */
export function torchTensor(
  name: string,
  tfShape: readonly number[],
  data: Float32Array,
  patchSize: number,
): { shape: number[]; data: Float32Array } {
  return { shape: torchShape(name, tfShape, patchSize), data: toTorch(name, tfShape, data, patchSize) };
}

/** tfjs layout -> PyTorch layout. */
export function toTorch(name: string, tfShape: readonly number[], data: Float32Array, patchSize: number): Float32Array {
  if (name === PATCH_EMBED_WEIGHT) {
    const [rows, D] = tfShape; // rows = p*p*C in (y, x, c) order
    const C = rows / (patchSize * patchSize);
    const out = new Float32Array(data.length);
    for (let y = 0; y < patchSize; y++) {
      for (let x = 0; x < patchSize; x++) {
        for (let c = 0; c < C; c++) {
          const row = (y * patchSize + x) * C + c;
          for (let d = 0; d < D; d++) out[((d * C + c) * patchSize + y) * patchSize + x] = data[row * D + d];
        }
      }
    }
    return out;
  }
  if (isLinearWeight(name, tfShape)) return transpose2d(data, tfShape[0], tfShape[1]);
  return data;
}

/** PyTorch layout -> tfjs layout (`tfShape` is the tfjs shape wanted). */
export function fromTorch(name: string, tfShape: readonly number[], data: Float32Array, patchSize: number): Float32Array {
  if (name === PATCH_EMBED_WEIGHT) {
    const [rows, D] = tfShape;
    const C = rows / (patchSize * patchSize);
    const out = new Float32Array(data.length);
    for (let d = 0; d < D; d++) {
      for (let c = 0; c < C; c++) {
        for (let y = 0; y < patchSize; y++) {
          for (let x = 0; x < patchSize; x++)
            out[((y * patchSize + x) * C + c) * D + d] = data[((d * C + c) * patchSize + y) * patchSize + x];
        }
      }
    }
    return out;
  }
  if (isLinearWeight(name, tfShape)) return transpose2d(data, tfShape[1], tfShape[0]);
  return data;
}
