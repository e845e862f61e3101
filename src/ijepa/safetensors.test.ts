import { describe, expect, it } from 'vitest';
import { readSafetensors, SafetensorsError, writeSafetensors, type SafeTensor } from './safetensors';

function fileWithHeader(header: unknown, dataBytes: number, headerLengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setUint32(0, headerLengthOverride ?? json.length, true);
  out.set(json, 8);
  return out;
}

describe('safetensors', () => {
  it('round-trips tensors and metadata bit-exactly, with an 8-aligned data start', () => {
    const a: SafeTensor = { dtype: 'F32', shape: [2, 3], data: new Float32Array([1.5, -0, Number.MIN_VALUE, 3e38, Math.PI, -7]) };
    const b: SafeTensor = { dtype: 'I32', shape: [4], data: new Int32Array([0, -1, 2 ** 31 - 1, -(2 ** 31)]) };
    const bytes = writeSafetensors(
      [
        ['a', a],
        ['b', b],
      ],
      { note: 'hi' },
    );
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLength) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ note: 'hi' });
    expect(back.tensors.get('a')).toEqual(a);
    expect(new Uint8Array(back.tensors.get('a')!.data.buffer)).toEqual(new Uint8Array(a.data.buffer));
    expect(back.tensors.get('b')).toEqual(b);
  });

  it.each([
    ['a file shorter than 8 bytes', new Uint8Array(5), /shorter than the 8-byte header length/],
    ['a header length past the end', fileWithHeader({}, 0, 1000), /runs past the end/],
    ['a huge declared header length', fileWithHeader({}, 0, 0xffffffff), /over the 100000000-byte limit/],
    ['a non-JSON header', fileWithHeader('{not json', 0), /not valid UTF-8 JSON/],
    ['a JSON array header', fileWithHeader('[1,2]', 0), /not a JSON object/],
    ['an unknown dtype', fileWithHeader({ x: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, 1), /unsupported dtype "F8"/],
    [
      'offsets outside the buffer',
      fileWithHeader({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 2),
      /outside the 2 data bytes/,
    ],
    [
      'a shape that does not match the byte count',
      fileWithHeader({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 16),
      /12 bytes\) but 8 data bytes/,
    ],
    ['a huge declared shape', fileWithHeader({ x: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 4] } }, 4), /larger than the file/],
    [
      'overlapping tensors',
      fileWithHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8),
      /overlaps/,
    ],
    ['a hole in the data', fileWithHeader({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /hole/],
    ['a negative shape', fileWithHeader({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /invalid shape/],
    ['a non-string metadata value', fileWithHeader({ __metadata__: { step: 3 } }, 0), /not a string/],
  ])('rejects %s with a clear error', (_, bytes, message) => {
    expect(() => readSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => readSafetensors(bytes)).toThrow(message);
  });
});

describe('safetensors fuzzing: every corruption is a clear error, never a hang or a crash', () => {
  const valid = writeSafetensors(
    [
      ['w', { dtype: 'F32', shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i) }],
      ['b', { dtype: 'I32', shape: [5], data: Int32Array.from([1, 2, 3, 4, 5]) }],
    ],
    { config: '{"crop_size":32}' },
  );

  function check(bytes: Uint8Array): void {
    try {
      const file = readSafetensors(bytes);
      // whatever parses must be self-consistent
      for (const t of file.tensors.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    } catch (error) {
      expect(error).toBeInstanceOf(SafetensorsError);
    }
  }

  // a hang would hit the test timeout; nothing here asserts on time
  it('survives 3000 random byte flips, truncations and header rewrites', () => {
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 1000; i++) {
      const flipped = valid.slice();
      for (let k = 0; k < 1 + Math.floor(random() * 8); k++) flipped[Math.floor(random() * flipped.length)] = Math.floor(random() * 256);
      check(flipped);
      check(valid.slice(0, Math.floor(random() * valid.length))); // truncated anywhere
    }
    const headerLength = new DataView(valid.buffer).getUint32(0, true);
    const header = new TextDecoder().decode(valid.subarray(8, 8 + headerLength));
    const numbers = [...header.matchAll(/\d+/g)];
    for (let i = 0; i < 1000; i++) {
      // rewrite one number of the header (offsets, shapes, lengths) to a hostile value, keeping the length field honest
      const m = numbers[Math.floor(random() * numbers.length)];
      const hostile = ['0', '1', '4294967295', '9007199254740993', '-1', '1e9', '99999999999999999999'][Math.floor(random() * 7)];
      const text = header.slice(0, m.index) + hostile + header.slice(m.index! + m[0].length);
      const encoded = new TextEncoder().encode(text);
      const bytes = new Uint8Array(8 + encoded.length + valid.length - 8 - headerLength);
      new DataView(bytes.buffer).setUint32(0, encoded.length, true);
      bytes.set(encoded, 8);
      bytes.set(valid.subarray(8 + headerLength), 8 + encoded.length);
      check(bytes);
    }
  });

  it('refuses a header length of 2^53 and a shape of 2^60 elements without allocating them', () => {
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(4, 0x200000, true); // high word: 2^53 bytes
    expect(() => readSafetensors(huge)).toThrow(/over the 100000000-byte limit/);
    const json = JSON.stringify({ x: { dtype: 'F32', shape: [2 ** 30, 2 ** 30], data_offsets: [0, 4] } });
    const bytes = new Uint8Array(8 + json.length + 4);
    new DataView(bytes.buffer).setUint32(0, json.length, true);
    bytes.set(new TextEncoder().encode(json), 8);
    expect(() => readSafetensors(bytes)).toThrow(/larger than the file/);
  });
});
