// PyTorch's checkpoint file (torch.save since 1.6): a zip archive `<name>/data.pkl` (the pickled
// object), `<name>/data/<key>` (one record per storage, raw little-endian), and small version
// records. The zip itself is fflate's; records are stored uncompressed and storages aligned to 64
// bytes, as torch writes them (so torch.load(mmap=True) can map them in place).
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { PickleError, readPickle } from './pickle';
import { writePickle } from './pickleWriter';
import { DTYPE_BYTES, TensorOut, type PyValue, type StorageRef, type TensorRef } from './values';

export class TorchFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TorchFileError';
  }
}

export interface TorchArchive {
  root: PyValue;
  /** A tensor's values as float32 (float64, float16, bfloat16 and integer storages converted). */
  read(tensor: TensorRef): Float32Array;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function unzip(bytes: Uint8Array, keep: (name: string) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter: (f) => keep(f.name) });
  } catch (error) {
    throw new TorchFileError(`the zip archive is damaged (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function readTorchArchive(bytes: Uint8Array): TorchArchive {
  if (bytes.length < 4 || ZIP_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new TorchFileError(
      bytes[0] === 0x80
        ? "it is in PyTorch's legacy format (before 1.6): load and save it again with a newer PyTorch"
        : 'it is not a PyTorch checkpoint (no zip archive)',
    );
  }
  const head = unzip(bytes, (name) => /^[^/]+\/(data\.pkl|byteorder)$/.test(name));
  const pickles = Object.keys(head).filter((name) => name.endsWith('/data.pkl'));
  if (pickles.length !== 1) throw new TorchFileError(`the archive has ${pickles.length === 0 ? 'no' : 'more than one'} data.pkl`);
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const byteorder = head[`${prefix}byteorder`];
  if (byteorder && new TextDecoder().decode(byteorder) !== 'little') throw new TorchFileError('its tensors are big-endian');
  let root: PyValue;
  try {
    root = readPickle(head[pickles[0]]);
  } catch (error) {
    throw error instanceof PickleError ? new TorchFileError(error.message) : error;
  }
  let records: Record<string, Uint8Array> | null = null; // read once, on the first tensor
  return {
    root,
    read(tensor) {
      records ??= unzip(bytes, (name) => name.startsWith(`${prefix}data/`));
      const record = records[`${prefix}data/${tensor.storage.key}`];
      if (!record) throw new TorchFileError(`storage ${tensor.storage.key} is missing from the archive`);
      return gather(tensor, storageValues(tensor.storage, record));
    },
  };
}

function storageValues({ key, dtype, numel }: StorageRef, record: Uint8Array): ArrayLike<number> {
  if (record.length < numel * DTYPE_BYTES[dtype]) throw new TorchFileError(`storage ${key} is shorter than its ${numel} ${dtype} values`);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const out = new Float32Array(numel);
  switch (dtype) {
    case 'float32':
      if (record.byteOffset % 4 === 0) return new Float32Array(record.buffer, record.byteOffset, numel);
      for (let i = 0; i < numel; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'float64':
      for (let i = 0; i < numel; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'float16':
      for (let i = 0; i < numel; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'bfloat16': {
      const float = new DataView(new ArrayBuffer(4)); // a bfloat16 is the upper half of a float32
      for (let i = 0; i < numel; i++) (float.setUint32(0, view.getUint16(2 * i, true) << 16), (out[i] = float.getFloat32(0)));
      break;
    }
    case 'int64':
      for (let i = 0; i < numel; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      break;
    case 'int32':
      for (let i = 0; i < numel; i++) out[i] = view.getInt32(4 * i, true);
      break;
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The tensor's elements in row-major order, from its strided view of the storage. */
function gather({ storage, offset, shape, stride }: TensorRef, values: ArrayLike<number>): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return new Float32Array(0);
  const last = offset + shape.reduce((sum, n, i) => sum + (n - 1) * stride[i], 0);
  if (last >= storage.numel || size > storage.numel - offset) {
    throw new TorchFileError(`a tensor of shape [${shape}] reaches past the end of storage ${storage.key}`);
  }
  const out = new Float32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let i = 0; i < size; i++) {
    out[i] = values[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      // odometer over the axes: the next element's storage position
      index[d]++;
      at += stride[d];
      if (index[d] < shape[d]) break;
      at -= shape[d] * stride[d];
      index[d] = 0;
    }
  }
  return out;
}

const ALIGNMENT = 64;
const PAD_FIELD = 0x4246; // the extra field torch pads with ('FB')
const LOCAL_HEADER = 30; // bytes before a record's name in fflate's (and every) zip local header
const fixedTime = new Date(2020, 0, 1); // the same export, the same bytes
const utf8 = new TextEncoder();
const text = (s: string) => utf8.encode(s);

/** `root` (tensors as TensorOut) as a torch.save archive named `name` (its records' folder). */
export function writeTorchArchive(root: PyValue, name = 'archive'): Uint8Array {
  const storages: TensorOut[] = [];
  const pickle = writePickle(root, (t) => String(storages.push(t) - 1));
  const files: Zippable = {};
  let offset = 0;
  const add = (record: string, data: Uint8Array, aligned = false) => {
    const path = `${name}/${record}`;
    const nameBytes = text(path).length;
    let extra: Record<number, Uint8Array> | undefined;
    if (aligned) {
      const pad = (ALIGNMENT - ((offset + LOCAL_HEADER + nameBytes + 4) % ALIGNMENT)) % ALIGNMENT;
      extra = { [PAD_FIELD]: new Uint8Array(pad) };
    }
    files[path] = [data, { level: 0, mtime: fixedTime, ...(extra ? { extra } : {}) }];
    offset += LOCAL_HEADER + nameBytes + (extra ? 4 + extra[PAD_FIELD].length : 0) + data.length;
  };
  add('data.pkl', pickle);
  add('.format_version', text('1'));
  add('.storage_alignment', text(String(ALIGNMENT)));
  add('byteorder', text('little'));
  storages.forEach((t, key) => add(`data/${key}`, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), true));
  add('version', text('3\n'));
  return zipSync(files);
}
