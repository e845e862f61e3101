// The Python values a PyTorch checkpoint is made of, as the pickle reader returns them and the
// writer takes them: dicts are Maps (string or integer keys), lists are arrays, tuples PyTuples.

export type TorchDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32';
export const DTYPE_BYTES: Record<TorchDtype, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4 };

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A global the file names (a storage type, say): a name, never a function. */
export class PyGlobal {
  constructor(readonly qualified: string) {}
}

/** A float the writer must keep a float even when it is integral (Python tells 1 from 1.0). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A storage: `numel` elements of `dtype` in the archive's record `data/<key>`. */
export interface StorageRef {
  key: string;
  dtype: TorchDtype;
  numel: number;
}

/** A tensor as a strided view of a storage (what `_rebuild_tensor_v2` receives). */
export interface TensorRef {
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

/** A float32 tensor to write (contiguous). */
export class TensorOut {
  constructor(
    readonly shape: readonly number[],
    readonly data: Float32Array,
  ) {}
}

export type PyKey = string | number;
export type PyValue =
  null | boolean | number | string | PyFloat | PyValue[] | PyTuple | PyGlobal | Map<PyKey, PyValue> | StorageRef | TensorRef | TensorOut;

export const isTensorRef = (v: unknown): v is TensorRef => typeof v === 'object' && v !== null && 'storage' in v && 'stride' in v;
export const isStorageRef = (v: unknown): v is StorageRef => typeof v === 'object' && v !== null && 'numel' in v && 'key' in v;

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** An OrderedDict: a dict that remembers that it was one. */
export class OrderedDict extends Map<PyKey, PyValue> {}
