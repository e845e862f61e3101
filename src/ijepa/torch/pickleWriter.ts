// Writes Python values as a protocol-2 pickle the way torch.save lays out a checkpoint: tensors as
// `torch._utils._rebuild_tensor_v2` over a storage named by a persistent id, OrderedDicts as
// `collections.OrderedDict()` plus items. Only names PyTorch's `weights_only` loader allows.
import { OrderedDict } from './pickle';
import { PyFloat, PyTuple, TensorOut, type PyValue } from './values';

const OP = {
  PROTO: 0x80,
  STOP: 0x2e,
  MARK: 0x28,
  EMPTY_DICT: 0x7d,
  EMPTY_LIST: 0x5d,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  BINUNICODE: 0x58,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG1: 0x8a,
  BINFLOAT: 0x47,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  NONE: 0x4e,
  SETITEMS: 0x75,
  APPENDS: 0x65,
  GLOBAL: 0x63,
  REDUCE: 0x52,
  BINPERSID: 0x51,
} as const;

const utf8 = new TextEncoder();

class ByteSink {
  private chunks: Uint8Array[] = [];
  private length = 0;
  bytes(...values: number[]): void {
    this.push(Uint8Array.from(values));
  }
  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  result(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) (out.set(c, at), (at += c.length));
    return out;
  }
}

/** The pickle of `root`; `storageKey` names each tensor's storage (its record in the archive). */
export function writePickle(root: PyValue, storageKey: (t: TensorOut) => string): Uint8Array {
  const out = new ByteSink();
  const scratch = new DataView(new ArrayBuffer(8));
  const u32 = (n: number) => (scratch.setUint32(0, n, true), new Uint8Array(scratch.buffer.slice(0, 4)));
  const str = (s: string) => {
    const encoded = utf8.encode(s);
    (out.bytes(OP.BINUNICODE), out.push(u32(encoded.length)), out.push(encoded));
  };
  const global = (module: string, name: string) => (out.bytes(OP.GLOBAL), out.push(utf8.encode(`${module}\n${name}\n`)));
  const int = (n: number) => {
    if (!Number.isSafeInteger(n)) throw new Error(`cannot pickle ${n} as an integer`);
    if (n >= 0 && n < 0x100) return out.bytes(OP.BININT1, n);
    if (n >= 0 && n < 0x10000) return out.bytes(OP.BININT2, n & 0xff, n >> 8);
    if (n >= -0x80000000 && n < 0x80000000)
      return (scratch.setInt32(0, n, true), out.bytes(OP.BININT), out.push(new Uint8Array(scratch.buffer.slice(0, 4))));
    scratch.setBigInt64(0, BigInt(n), true);
    (out.bytes(OP.LONG1, 8), out.push(new Uint8Array(scratch.buffer.slice(0, 8))));
  };
  const float = (x: number) => (
    scratch.setFloat64(0, x, false),
    out.bytes(OP.BINFLOAT),
    out.push(new Uint8Array(scratch.buffer.slice(0, 8)))
  );
  const tuple = (items: readonly PyValue[]) => {
    if (items.length === 0) return out.bytes(OP.EMPTY_TUPLE);
    if (items.length <= 3) return (items.forEach(write), out.bytes(OP.TUPLE1 + items.length - 1));
    (out.bytes(OP.MARK), items.forEach(write), out.bytes(OP.TUPLE));
  };
  const emptyOrderedDict = () => (global('collections', 'OrderedDict'), out.bytes(OP.EMPTY_TUPLE, OP.REDUCE));
  const tensor = (t: TensorOut) => {
    const stride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    global('torch._utils', '_rebuild_tensor_v2');
    out.bytes(OP.MARK, OP.MARK);
    (str('storage'), global('torch', 'FloatStorage'), str(storageKey(t)), str('cpu'), int(t.data.length));
    out.bytes(OP.TUPLE, OP.BINPERSID);
    (int(0), tuple(t.shape as number[]), tuple(stride), out.bytes(OP.NEWFALSE), emptyOrderedDict());
    out.bytes(OP.TUPLE, OP.REDUCE);
  };
  function write(v: PyValue): void {
    if (v === null) out.bytes(OP.NONE);
    else if (v === true) out.bytes(OP.NEWTRUE);
    else if (v === false) out.bytes(OP.NEWFALSE);
    else if (typeof v === 'number') Number.isSafeInteger(v) ? int(v) : float(v);
    else if (v instanceof PyFloat) float(v.value);
    else if (typeof v === 'string') str(v);
    else if (v instanceof PyTuple) tuple(v.items);
    else if (v instanceof TensorOut) tensor(v);
    else if (Array.isArray(v)) {
      out.bytes(OP.EMPTY_LIST);
      if (v.length > 0) (out.bytes(OP.MARK), v.forEach(write), out.bytes(OP.APPENDS));
    } else if (v instanceof Map) {
      if (v instanceof OrderedDict) emptyOrderedDict();
      else out.bytes(OP.EMPTY_DICT);
      if (v.size > 0) {
        out.bytes(OP.MARK);
        for (const [key, value] of v) (write(key), write(value));
        out.bytes(OP.SETITEMS);
      }
    } else throw new Error('cannot pickle this value');
  }
  out.bytes(OP.PROTO, 2);
  write(root);
  out.bytes(OP.STOP);
  return out.result();
}
