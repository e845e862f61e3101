import { readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CheckpointMismatchError } from '../checkpoint';
import { presetConfig } from '../config';
import { readTorchArchive, TorchFileError, writeTorchArchive } from './archive';
import { OrderedDict, PickleError, readPickle } from './pickle';
import { writePickle } from './pickleWriter';
import { parseReferenceCheckpoint } from './referenceImport';
import { exportReferenceCheckpoint } from './referenceExport';
import { createTrainer, disposeTrainer } from '../trainStep';
import { PyFloat, PyTuple, TensorOut, isTensorRef, type PyKey, type PyValue } from './values';

const fixture = new Uint8Array(readFileSync(new URL('./fixtures/reference-tiny.pth.tar', import.meta.url)));
const fixturePickle = Object.entries(unzipSync(fixture)).find(([name]) => name.endsWith('/data.pkl'))![1];
const bytes = (...parts: (number | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : [p])));

describe('the pickle reader', () => {
  it('reads what the writer writes: every kind of value a checkpoint holds', () => {
    const value = new Map<PyKey, PyValue>([
      ['ints', [0, 1, 255, 256, 65535, 65536, -1, -129, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 40)]],
      ['floats', [new PyFloat(1), 0.5, -1e-8, 1e300]],
      ['tuples', [new PyTuple([]), new PyTuple([1]), new PyTuple([1, 2]), new PyTuple([1, 2, 3]), new PyTuple([1, 2, 3, 4])]],
      ['misc', [true, false, null, 'ünïcödé', '']],
      ['ordered', new OrderedDict([[1, 'a']])],
      ['tensor', new TensorOut([2, 3], Float32Array.of(1, 2, 3, 4, 5, 6))],
    ]);
    const back = readPickle(writePickle(value, () => '0')) as Map<PyKey, PyValue>;
    expect(back.get('ints')).toEqual(value.get('ints'));
    expect(back.get('floats')).toEqual([1, 0.5, -1e-8, 1e300]);
    expect((back.get('tuples') as PyTuple[]).map((t) => t.items)).toEqual([[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4]]);
    expect(back.get('misc')).toEqual([true, false, null, 'ünïcödé', '']);
    expect(back.get('ordered')).toBeInstanceOf(OrderedDict);
    const tensor = back.get('tensor');
    expect(isTensorRef(tensor) && { shape: tensor.shape, stride: tensor.stride, numel: tensor.storage.numel }).toEqual({
      shape: [2, 3],
      stride: [3, 1],
      numel: 6,
    });
  });

  it('reads strided views of a storage (a transposed tensor)', () => {
    // tensor over storage [0..5] with shape [3, 2] and stride [1, 3]: the transpose of [[0,1,2],[3,4,5]]
    const root = writePickle(new Map([['t', new TensorOut([2, 3], Float32Array.of(0, 1, 2, 3, 4, 5))]]), () => '0');
    const text = new TextDecoder('latin1').decode(root);
    const transposed = new Uint8Array(
      [...text.replace('K\x02K\x03\x86K\x03K\x01\x86', 'K\x03K\x02\x86K\x01K\x03\x86')].map((c) => c.charCodeAt(0)),
    );
    const archive = writeTorchArchive(new Map([['t', new TensorOut([6], Float32Array.of(0, 1, 2, 3, 4, 5))]]));
    const files = unzipSync(archive);
    files['archive/data.pkl'] = transposed;
    const { root: read, read: tensor } = readTorchArchive(rezip(files));
    expect(Array.from(tensor((read as Map<PyKey, PyValue>).get('t') as never))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('never calls anything: globals outside a state dict are refused with their name', () => {
    expect(() => readPickle(bytes(0x80, 2, 'c', 'os\nsystem\n', '.'))).toThrow(/asks for the Python object 'os.system'/);
    expect(() => readPickle(bytes(0x80, 4, 0x8c, 2, 'os', 0x8c, 6, 'system', 0x93, '.'))).toThrow(/'os.system'/);
    expect(() => readPickle(bytes(0x80, 2, 'c', 'builtins\neval\n', '.'))).toThrow(PickleError);
    expect(() => readPickle(bytes(0x80, 2, 'c', 'torch._utils\n_rebuild_tensor_v2\n', ')R.'))).toThrow(/rebuilt from 0 arguments/);
    expect(() => readPickle(bytes(0x80, 2, 'c', 'torch\nFloatStorage\n', ')R.'))).toThrow(/is not something a checkpoint calls/);
    expect(() => readPickle(bytes(0x80, 2, 'i', 'os\nsystem\n', '.'))).toThrow(/opcode 0x69 at byte 2 is not one a state dict needs/);
    expect(() => readPickle(bytes(0x80, 2, ']', ')', 'b', '.'))).toThrow(/only does that on OrderedDicts/);
  });

  it('reads the fixture PyTorch wrote, _metadata and all', () => {
    const root = readPickle(fixturePickle) as Map<PyKey, PyValue>;
    expect([...root.keys()]).toEqual([
      'encoder',
      'predictor',
      'target_encoder',
      'opt',
      'scaler',
      'epoch',
      'loss',
      'batch_size',
      'world_size',
      'lr',
    ]);
    expect(root.get('encoder')).toBeInstanceOf(OrderedDict);
  });
});

const rezip = (files: Record<string, Uint8Array>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: 0 }]])));

// a hang would hit the test timeout; nothing here asserts on time
describe('pickle reader fuzzing: every corruption is a clear error, never a hang or a crash', () => {
  let seed = 2024;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = (n: number) => Math.floor(random() * n);

  const concat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  };

  function corrupt(valid: Uint8Array): Uint8Array {
    switch (pick(4)) {
      case 0: {
        const flipped = valid.slice();
        for (let k = 0; k < 1 + pick(8); k++) flipped[pick(flipped.length)] = pick(256);
        return flipped;
      }
      case 1:
        return valid.slice(0, pick(valid.length)); // truncated anywhere
      case 2: {
        const at = pick(valid.length); // a run of hostile bytes inserted (lengths, memo indices, opcodes)
        const run = Uint8Array.from({ length: 1 + pick(9) }, () => [0xff, 0x00, 0x7f, 0x80, 0x28, 0x2e, 0x71, 0x68][pick(8)]);
        return concat(valid.subarray(0, at), run, valid.subarray(at));
      }
      default: {
        const at = pick(valid.length); // a span deleted
        return concat(valid.subarray(0, at), valid.subarray(Math.min(valid.length, at + 1 + pick(40))));
      }
    }
  }

  it('survives 4000 corruptions of the fixture pickle with a message each', () => {
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      try {
        readPickle(corrupt(fixturePickle));
      } catch (error) {
        expect(error).toBeInstanceOf(PickleError);
        expect((error as Error).message.length).toBeGreaterThan(10);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(1000); // most corruptions are caught, not silently misread
  });

  it("survives 3000 corruptions of whole checkpoint files (PyTorch's and the page's), read as the page reads them", async () => {
    const config = presetConfig('micro', { numHeads: 2 });
    const trainer = createTrainer(presetConfig('micro'));
    const ours = await exportReferenceCheckpoint(trainer, { datasetSize: 100, epochLoss: null });
    disposeTrainer(trainer);
    for (let i = 0; i < 3000; i++) {
      try {
        parseReferenceCheckpoint(corrupt(i % 2 ? fixture : ours), config);
      } catch (error) {
        expect(
          [TorchFileError, CheckpointMismatchError].some((kind) => error instanceof kind),
          String(error),
        ).toBe(true);
        expect((error as Error).message.length).toBeGreaterThan(10);
      }
    }
  }, 120_000);
});
