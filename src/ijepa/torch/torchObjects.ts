// What the few globals a PyTorch checkpoint names become: storages (persistent ids), tensors
// (`_rebuild_tensor_v2` over a storage), OrderedDicts. Values built here from the pickle's
// arguments, never by calling anything the file names.
import {
  isStorageRef,
  isTensorRef,
  OrderedDict,
  PickleError,
  PyGlobal,
  PyTuple,
  type PyValue,
  type StorageRef,
  type TensorRef,
  type TorchDtype,
} from './values';

/** torch.<Name>Storage -> the element type it holds. */
export const STORAGE_DTYPES: Record<string, TorchDtype> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
};

/** The only callables a checkpoint needs, by their pickled names; nothing else is accepted. */
const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

/** Whether the pickle may name `qualified` at all. */
export const isAllowedGlobal = (qualified: string) => ALLOWED_GLOBALS.has(qualified);

/** REDUCE: what calling an allowed global with `argsItem` gives. */
export function callGlobal(callable: PyValue, argsItem: PyValue): PyValue {
  if (!(callable instanceof PyGlobal)) throw new PickleError(`the pickle calls a ${describe(callable)}`);
  if (!(argsItem instanceof PyTuple)) throw new PickleError(`'${callable.qualified}' is called without an argument tuple`);
  const args = argsItem.items;
  switch (callable.qualified) {
    case 'collections.OrderedDict':
      if (args.length !== 0) throw new PickleError('an OrderedDict is built from arguments');
      return new OrderedDict();
    case 'torch._utils._rebuild_tensor_v2':
      return rebuildTensor(args);
    case 'torch._utils._rebuild_parameter': // (data, requires_grad, backward_hooks): a Parameter is its data
      if (!isTensorRef(args[0])) throw new PickleError('a Parameter is rebuilt from something that is not a tensor');
      return args[0];
    default:
      throw new PickleError(`'${callable.qualified}' is not something a checkpoint calls`);
  }
}

export function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (v instanceof PyGlobal) return `global '${v.qualified}'`;
  if (v instanceof PyTuple) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'dict';
  if (isTensorRef(v)) return 'tensor';
  return typeof v;
}

const naturals = (v: PyValue | undefined, what: string): number[] => {
  if (!(v instanceof PyTuple) || !v.items.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) {
    throw new PickleError(`a tensor's ${what} is not a tuple of non-negative integers`);
  }
  return v.items as number[];
};

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
function rebuildTensor(args: readonly PyValue[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (args.length < 6 || args.length > 7) throw new PickleError(`a tensor is rebuilt from ${args.length} arguments, not 6 or 7`);
  if (!isStorageRef(storage)) throw new PickleError('a tensor is rebuilt from something that is not a storage');
  if (!Number.isSafeInteger(offset) || (offset as number) < 0)
    throw new PickleError('a tensor has a negative or fractional storage offset');
  const shape = naturals(size, 'size');
  const strides = naturals(stride, 'stride');
  if (shape.length !== strides.length) throw new PickleError(`a tensor has ${shape.length} sizes but ${strides.length} strides`);
  return { storage, offset: offset as number, shape, stride: strides };
}

/** The persistent id torch.save writes for a storage: ('storage', torch.<Type>Storage, key, location, numel). */
export function persistentStorage(pid: PyValue): StorageRef {
  if (!(pid instanceof PyTuple) || pid.items.length !== 5 || pid.items[0] !== 'storage') {
    throw new PickleError("a persistent id is not ('storage', type, key, location, numel)");
  }
  const [, type, key, , numel] = pid.items;
  if (!(type instanceof PyGlobal)) throw new PickleError('a storage has no type');
  const dtype = STORAGE_DTYPES[type.qualified.replace(/^torch\./, '')];
  if (!dtype) throw new PickleError(`a storage's type is '${type.qualified}'`);
  if (typeof key !== 'string' || !/^\w+$/.test(key)) throw new PickleError('a storage key is not a plain name');
  if (!Number.isSafeInteger(numel) || (numel as number) < 0) throw new PickleError('a storage has no valid element count');
  return { key, dtype, numel: numel as number };
}
