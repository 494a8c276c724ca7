// Reader for the IDX format of MNIST-like data sets (raw or gzip-compressed), as LeCun's MNIST page defines it.

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export type IdxType = "ubyte" | "sbyte" | "short" | "int" | "float" | "double";
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** The element type named by the header's type code. */
  type: IdxType;
  /** The dimensions from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements in row-major order, in the platform's byte order. */
  data: IdxData;
}

/** Type code → element type and size in bytes. */
const TYPES: ReadonlyMap<number, { type: IdxType; bytes: number }> = new Map([
  [0x08, { type: "ubyte", bytes: 1 }],
  [0x09, { type: "sbyte", bytes: 1 }],
  [0x0b, { type: "short", bytes: 2 }],
  [0x0c, { type: "int", bytes: 4 }],
  [0x0d, { type: "float", bytes: 4 }],
  [0x0e, { type: "double", bytes: 8 }],
]);

/** Reads an IDX file, raw or gzip-compressed. Errors name the file and what is wrong with it. */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`readIdx: no such file: ${path}`);
    throw new Error(`readIdx: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseIdx(bytes, path);
}

/**
 * Parses the bytes of an IDX file; `name` (the file's path) is quoted in errors. Gzip is recognized
 * by its magic bytes 1f 8b rather than by a `.gz` suffix, because browsers and some servers
 * silently decompress downloads and leave the `.gz` name on a raw file.
 */
export function parseIdx(bytes: Uint8Array, name = "<bytes>"): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`IDX file ${name}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4) throw new Error(`IDX file ${name}: too short for an IDX header: expected at least 4 bytes, got ${bytes.length}`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = name.endsWith(".gz") ? " (the name ends in .gz, but the data is not gzip-compressed either)" : "";
    throw new Error(`IDX file ${name}: wrong magic number 0x${hex(bytes, 0, 4)}: an IDX file starts with two zero bytes, a type code and the number of dimensions (e.g. 0x00000803)${hint}`);
  }
  const kind = TYPES.get(bytes[2]);
  if (kind === undefined) {
    throw new Error(`IDX file ${name}: unknown type code 0x${hex(bytes, 2, 3)} (expected 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float or 0x0E double)`);
  }
  const ndims = bytes[3];
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(`IDX file ${name}: truncated header: ${ndims} dimensions need ${headerBytes} header bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const dataBytes = count * kind.bytes;
  const expected = headerBytes + dataBytes;
  if (bytes.length < expected) {
    throw new Error(
      `IDX file ${name}: truncated: dims [${dims.join(", ")}] of ${kind.type} need ${expected} bytes (${headerBytes} header + ${dataBytes} data), got ${bytes.length} (${expected - bytes.length} missing)`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(`IDX file ${name}: ${bytes.length - expected} unexpected bytes after the data: dims [${dims.join(", ")}] of ${kind.type} need ${expected} bytes, got ${bytes.length}`);
  }
  return { type: kind.type, dims, data: decode(kind.type, bytes, view, headerBytes, count) };
}

/** The elements, converted from IDX's big-endian order. Byte types are views: no copy. */
function decode(type: IdxType, bytes: Uint8Array, view: DataView, offset: number, count: number): IdxData {
  switch (type) {
    case "ubyte":
      return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, count);
    case "sbyte":
      return new Int8Array(bytes.buffer, bytes.byteOffset + offset, count);
    case "short": {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case "int": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case "float": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case "double": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/**
 * Encodes an IDX file (uncompressed): the inverse of parseIdx, for writing small fixtures and
 * converted data. The type defaults from the array: Uint8Array → ubyte, Float32Array → float, ...
 */
export function encodeIdx(dims: readonly number[], data: IdxData, type: IdxType = typeOf(data)): Uint8Array {
  const entry = [...TYPES].find(([, t]) => t.type === type);
  if (entry === undefined) throw new Error(`encodeIdx: unknown type ${String(type)}`);
  const [code, { bytes: size }] = entry;
  if (dims.length > 255) throw new Error(`encodeIdx: at most 255 dimensions, got ${dims.length}`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeIdx: dims [${dims.join(", ")}] hold ${count} elements, but the data has ${data.length}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const at = header + i * size;
    const v = data[i];
    switch (type) {
      case "ubyte": view.setUint8(at, v); break;
      case "sbyte": view.setInt8(at, v); break;
      case "short": view.setInt16(at, v, false); break;
      case "int": view.setInt32(at, v, false); break;
      case "float": view.setFloat32(at, v, false); break;
      case "double": view.setFloat64(at, v, false); break;
    }
  }
  return out;
}

function typeOf(data: IdxData): IdxType {
  if (data instanceof Uint8Array) return "ubyte";
  if (data instanceof Int8Array) return "sbyte";
  if (data instanceof Int16Array) return "short";
  if (data instanceof Int32Array) return "int";
  if (data instanceof Float32Array) return "float";
  return "double";
}

function hex(bytes: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < Math.min(to, bytes.length); i++) s += bytes[i].toString(16).padStart(2, "0").toUpperCase();
  return s;
}
