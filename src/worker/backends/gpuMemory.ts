// Bytes the active tfjs backend holds on the GPU, where it says (WebGPU, WebGL); null elsewhere.
import * as tf from '../../ijepa/tf';

export function gpuBytes(): number | null {
  return (tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }).numBytesInGPU ?? null;
}
