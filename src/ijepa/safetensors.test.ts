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
    const bytes = writeSafetensors([['a', a], ['b', b]], { note: 'hi' });
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
    ['offsets outside the buffer', fileWithHeader({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 2), /outside the 2 data bytes/],
    ['a shape that does not match the byte count', fileWithHeader({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 16), /12 bytes\) but 8 data bytes/],
    ['a huge declared shape', fileWithHeader({ x: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 4] } }, 4), /larger than the file/],
    ['overlapping tensors', fileWithHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /overlaps/],
    ['a hole in the data', fileWithHeader({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /hole/],
    ['a negative shape', fileWithHeader({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /invalid shape/],
    ['a non-string metadata value', fileWithHeader({ __metadata__: { step: 3 } }, 0), /not a string/],
  ])('rejects %s with a clear error', (_, bytes, message) => {
    expect(() => readSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => readSafetensors(bytes)).toThrow(message);
  });
});
