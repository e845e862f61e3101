// A Python pickle reader that only builds what a PyTorch state dict is made of: dicts, lists,
// tuples, strings, numbers, booleans, None, OrderedDict, and tensors (`_rebuild_tensor_v2` over a
// storage named by a persistent id). It never calls anything from the file: the handful of globals
// a checkpoint names are matched by name and turned into values (./torchObjects.ts); any other global or opcode is
// refused with a message (a pickle can otherwise run arbitrary code on load).
// Opcodes: https://github.com/python/cpython/blob/main/Lib/pickletools.py
import { callGlobal, describe, isAllowedGlobal, persistentStorage } from './torchObjects';
import { OrderedDict, PickleError, PyGlobal, PyTuple, type PyValue } from './values';

export { OrderedDict, PickleError }; // the reader's values and errors, for its callers

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Unpickles `bytes`; storages come back as StorageRefs (their data lives elsewhere in the archive). */
export function readPickle(bytes: Uint8Array): PyValue {
  try {
    return new Unpickler(bytes).run();
  } catch (error) {
    if (error instanceof PickleError) throw error;
    throw new PickleError(`the pickle is corrupt (${error instanceof Error ? error.message : String(error)})`);
  }
}

class Unpickler {
  private pos = 0;
  private readonly view: DataView;
  private stack: PyValue[] = [];
  private readonly marks: PyValue[][] = [];
  private readonly memo = new Map<number, PyValue>();

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length)
      throw new PickleError(`the pickle ends early (byte ${this.pos} of ${this.bytes.length})`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  private u8 = () => this.bytes[this.take(1)];
  private u16 = () => this.view.getUint16(this.take(2), true);
  private u32 = () => this.view.getUint32(this.take(4), true);
  private text(n: number): string {
    const at = this.take(n);
    return utf8.decode(this.bytes.subarray(at, at + n));
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleError('the pickle ends inside a global name');
    return this.text(end - this.pos + 1).slice(0, -1);
  }

  private pop(): PyValue {
    if (this.stack.length === 0) throw new PickleError(`the pickle pops an empty stack at byte ${this.pos - 1}`);
    return this.stack.pop()!;
  }
  private top(): PyValue {
    if (this.stack.length === 0) throw new PickleError(`the pickle reads an empty stack at byte ${this.pos - 1}`);
    return this.stack[this.stack.length - 1];
  }
  private popMark(): PyValue[] {
    const items = this.stack;
    const outer = this.marks.pop();
    if (!outer) throw new PickleError(`the pickle closes a mark it never opened at byte ${this.pos - 1}`);
    this.stack = outer;
    return items;
  }
  private setItems(dict: PyValue, items: PyValue[]): void {
    if (!(dict instanceof Map)) throw new PickleError('the pickle sets items on something that is not a dict');
    if (items.length % 2 !== 0) throw new PickleError('the pickle sets a dict item without a value');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (typeof key !== 'string' && typeof key !== 'number')
        throw new PickleError(`a dict key is a ${describe(key)}; a checkpoint's keys are strings or integers`);
      dict.set(key, items[i + 1]);
    }
  }
  private append(list: PyValue, items: PyValue[]): void {
    if (!Array.isArray(list)) throw new PickleError('the pickle appends to something that is not a list');
    for (const item of items) list.push(item);
  }

  run(): PyValue {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      switch (op) {
        case 0x80: // PROTO
          if (this.u8() > 5) throw new PickleError('the pickle uses a protocol newer than 5');
          break;
        case 0x95: // FRAME: a length hint
          this.take(8);
          break;
        case 0x2e: // STOP
          return this.pop();
        case 0x28: // MARK
          this.marks.push(this.stack);
          this.stack = [];
          break;
        case 0x7d: // EMPTY_DICT
          this.stack.push(new Map());
          break;
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          this.stack.push(new PyTuple([]));
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const n = op - 0x84;
          if (this.stack.length < n) throw new PickleError(`the pickle builds a ${n}-tuple from a shorter stack at byte ${at}`);
          this.stack.push(new PyTuple(this.stack.splice(-n)));
          break;
        }
        case 0x74: {
          // TUPLE (the mark is popped before the result is pushed: onto the outer stack)
          const items = this.popMark();
          this.stack.push(new PyTuple(items));
          break;
        }
        case 0x6c: {
          // LIST
          const items = this.popMark();
          this.stack.push(items);
          break;
        }
        case 0x64: {
          // DICT
          const dict = new Map();
          this.setItems(dict, this.popMark());
          this.stack.push(dict);
          break;
        }
        case 0x58: // BINUNICODE
          this.stack.push(this.text(this.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(this.text(this.u8()));
          break;
        case 0x8d: {
          // BINUNICODE8
          const n = this.view.getBigUint64(this.take(8), true);
          if (n > BigInt(this.bytes.length)) throw new PickleError('a string is longer than the pickle');
          this.stack.push(this.text(Number(n)));
          break;
        }
        case 0x4a: // BININT
          this.stack.push(this.view.getInt32(this.take(4), true));
          break;
        case 0x4b: // BININT1
          this.stack.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.stack.push(this.u16());
          break;
        case 0x8a: // LONG1: little-endian two's complement
          this.stack.push(this.long(this.u8()));
          break;
        case 0x47: // BINFLOAT: big-endian double
          this.stack.push(this.view.getFloat64(this.take(8), false));
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.u32(), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
        case 0x6a: {
          // LONG_BINGET
          const index = op === 0x68 ? this.u8() : this.u32();
          if (!this.memo.has(index)) throw new PickleError(`the pickle reads memo entry ${index}, which it never wrote`);
          this.stack.push(this.memo.get(index)!);
          break;
        }
        case 0x30: // POP
          this.pop();
          break;
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x61: // APPEND
          this.append(this.top(), [this.pop()]);
          break;
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          this.append(this.top(), items);
          break;
        }
        case 0x63: // GLOBAL: "module\nname\n"
          this.stack.push(this.global(this.line(), this.line()));
          break;
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string')
            throw new PickleError('a global is named by something other than strings');
          this.stack.push(this.global(module, name));
          break;
        }
        case 0x52: {
          // REDUCE: callable(*args)
          const args = this.pop();
          const callable = this.pop();
          this.stack.push(callGlobal(callable, args));
          break;
        }
        case 0x62: {
          // BUILD: an OrderedDict's attributes (state_dict()'s `_metadata`: module versions), dropped
          this.pop();
          if (!(this.top() instanceof OrderedDict))
            throw new PickleError('the pickle sets the state of an object; a checkpoint only does that on OrderedDicts');
          break;
        }
        case 0x51: // BINPERSID
          this.stack.push(persistentStorage(this.pop()));
          break;
        default:
          throw new PickleError(
            `opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} is not one a state dict needs: the file holds more than tensors and numbers, so it is not read`,
          );
      }
    }
  }

  private long(n: number): number {
    const at = this.take(n);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[at + i]);
    if (n > 0 && this.bytes[at + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
    return Number(value); // beyond 2^53 only approximately: no checkpoint value we use is that large
  }

  private global(module: string, name: string): PyGlobal {
    const qualified = `${module}.${name}`;
    if (!isAllowedGlobal(qualified)) {
      throw new PickleError(
        `the file asks for the Python object '${qualified}'; a checkpoint needs only tensors, dicts and numbers, so it is not read`,
      );
    }
    return new PyGlobal(qualified);
  }
}
