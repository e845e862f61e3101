// The safetensors file format (8-byte little-endian header length, JSON header, raw data), read
// as hostile input: every length, offset, shape and dtype is checked against the bytes actually
// present before anything is allocated. Hand-written because the format is small and no
// maintained npm reader validates this strictly.

export type SafeDType = 'F32' | 'I32';
export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: Float32Array | Int32Array;
}
export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`Not a valid safetensors file: ${message}`);
    this.name = 'SafetensorsError';
  }
}

const BYTES_PER_ELEMENT: Record<SafeDType, number> = { F32: 4, I32: 4 };
/** The reference implementation's own cap on the header size. */
export const MAX_HEADER_BYTES = 100_000_000;

function fail(message: string): never {
  throw new SafetensorsError(message);
}

function parseHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) fail(`the file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + headerLength > bytes.length) fail(`header length ${headerLength} runs past the end of the ${bytes.length}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    fail('the header is not valid UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  return { header: header as Record<string, unknown>, dataStart: 8 + headerLength };
}

interface Entry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, raw: unknown, dataLength: number): Entry {
  if (typeof raw !== 'object' || raw === null) fail(`tensor '${name}' is not described by an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (dtype !== 'F32' && dtype !== 'I32') fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)} (F32 and I32 are read)`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end || end > dataLength) fail(`tensor '${name}' data [${begin}, ${end}) lies outside the ${dataLength} data bytes`);
  let elements = 1;
  for (const d of shape as number[]) {
    elements *= d;
    if (elements * BYTES_PER_ELEMENT[dtype] > dataLength) fail(`tensor '${name}' declares shape [${shape}], larger than the file`);
  }
  if (elements * BYTES_PER_ELEMENT[dtype] !== end - begin) {
    fail(`tensor '${name}' has shape [${shape}] (${elements * BYTES_PER_ELEMENT[dtype]} bytes) but ${end - begin} data bytes`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

export function readSafetensors(input: Uint8Array | ArrayBuffer): SafetensorsFile {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const { header, dataStart } = parseHeader(bytes);
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ is not an object');
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value !== 'string') fail(`__metadata__ value '${key}' is not a string`);
        metadata[key] = value;
      }
    } else {
      entries.push(parseEntry(name, raw, dataLength));
    }
  }
  // the data must be tiled exactly: no overlap, no holes, nothing left over
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of byOffset) {
    if (e.begin < cursor) fail(`tensor '${e.name}' overlaps the tensor before it`);
    if (e.begin > cursor) fail(`there is a hole in the data before tensor '${e.name}'`);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`${dataLength - cursor} data bytes after the last tensor belong to none`);

  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    // an aligned copy (explicit: Node's Buffer.slice returns a view into a shared pool)
    const copy = new ArrayBuffer(e.end - e.begin);
    new Uint8Array(copy).set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: e.dtype === 'F32' ? new Float32Array(copy) : new Int32Array(copy) });
  }
  return { tensors, metadata };
}

/** Writes tensors in the given order; the header is space-padded so the data starts 8-aligned. */
export function writeSafetensors(tensors: Iterable<[string, SafeTensor]>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== expected) throw new Error(`writeSafetensors: '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    const byteLength = t.data.length * BYTES_PER_ELEMENT[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + byteLength] };
    parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, byteLength));
    offset += byteLength;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  while ((8 + encoder.encode(json).length) % 8 !== 0) json += ' ';
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.length;
  }
  return out;
}
