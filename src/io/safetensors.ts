// Tensors to and from the safetensors format: in-memory serialize/deserialize, and atomic save / checked load of files.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { fmt, fromArray, Tensor, type DType, type FloatArray } from "../tensor/index.ts";
import { given } from "../tensor/index.ts";
import { removeStaleTemporaries, temporaryPath } from "./temporaries.ts";

/*
 * The layout (https://github.com/huggingface/safetensors):
 *
 *   8 bytes    N, the header length, unsigned 64-bit little-endian
 *   N bytes    JSON: {"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...},
 *              padded with spaces so that the data starts 8-byte aligned
 *   the rest   the tensors' bytes, little-endian, row-major; offsets count from the start of this part
 */

const DTYPE_CODES: Record<DType, string> = { float32: "F32", float64: "F64" };
const CODE_DTYPES: Record<string, DType> = { F32: "float32", F64: "float64" };
/** The reference implementation refuses headers above 100 MB; so do we (a corrupt length would otherwise allocate gigabytes). */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** The bytes of a safetensors file holding `tensors` (in their insertion order) and string `metadata`. */
export function serialize(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  if (typeof tensors !== "object" || tensors === null) throw new TypeError(`serialize: expected an object of name → Tensor, got ${String(tensors)}`);
  const header: Record<string, unknown> = {};
  if (typeof metadata !== "object" || metadata === null) throw new TypeError("serialize: metadata must be an object of string → string");
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new TypeError(`serialize: metadata "${k}" must be a string, got ${typeof v} (safetensors metadata holds strings only)`);
    meta[k] = v;
  }
  if (Object.keys(meta).length > 0) header.__metadata__ = meta;
  const parts: FloatArray[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "" || name === "__metadata__") throw new TypeError(`serialize: ${JSON.stringify(name)} cannot be a tensor name`);
    if (!(t instanceof Tensor)) throw new TypeError(`serialize: "${name}" is not a Tensor (got ${t === null ? "null" : typeof t}), so it cannot be saved`);
    const code = DTYPE_CODES[t.dtype];
    if (code === undefined) throw new TypeError(`serialize: "${name}" has dtype ${t.dtype}, which safetensors cannot store here`);
    const values = t.values();
    const end = offset + values.byteLength;
    header[name] = { dtype: code, shape: t.shape, data_offsets: [offset, end] } satisfies HeaderEntry;
    parts.push(values);
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const values of parts) {
    if (LITTLE_ENDIAN) {
      bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    } else {
      const wide = values instanceof Float64Array;
      for (let i = 0; i < values.length; i++) {
        if (wide) view.setFloat64(at + i * 8, values[i], true);
        else view.setFloat32(at + i * 4, values[i], true);
      }
    }
    at += values.byteLength;
  }
  return bytes;
}

/**
 * Reads safetensors bytes back, checking everything a corrupt or truncated file can get wrong:
 * the header length, the JSON, every dtype and shape, and that the data offsets tile the data
 * section exactly (in range, no overlap, no gap). `source` names the bytes in errors.
 */
export function deserialize(bytes: Uint8Array, source = "safetensors data"): SafetensorsContents {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`deserialize: expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) fail("the file is empty (0 bytes), not a safetensors file");
  if (bytes.length < 8) fail(`the file is truncated: ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`the header length ${n} is larger than the ${MAX_HEADER_BYTES}-byte limit: not a safetensors file, or corrupt`);
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) fail(`the file is truncated: the header claims ${headerLength} bytes but only ${bytes.length - 8} follow the length field`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header is not a JSON object");
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: [string, DType, number[], number, number][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("__metadata__ is not an object of strings");
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ "${k}" is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const entry = raw as Partial<HeaderEntry> | null;
    if (typeof entry !== "object" || entry === null) fail(`tensor "${name}": the header entry is not an object`);
    const { dtype: code, shape, data_offsets: offsets } = entry as Partial<HeaderEntry>;
    const dtype = typeof code === "string" ? CODE_DTYPES[code] : undefined;
    if (dtype === undefined) fail(`tensor "${name}" has dtype ${JSON.stringify(code)}, which ndgrad cannot read (supported: F32, F64)`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)} (expected [begin, end])`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      fail(`tensor "${name}" has data_offsets [${begin}, ${end}] outside the data section of ${dataLength} bytes${end > dataLength ? " (truncated file?)" : ""}`);
    }
    const itemSize = dtype === "float64" ? 8 : 4;
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== count * itemSize) {
      fail(`tensor "${name}" of shape ${fmt(shape as number[])} ${code} needs ${count * itemSize} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push([name, dtype!, shape as number[], begin, end]);
  }
  // The format requires the tensors to cover the data section exactly: sorted by offset, each starts where the last ended.
  const sorted = [...entries].sort((a, b) => a[3] - b[3] || a[4] - b[4]);
  let expected = 0;
  for (const [name, , , begin, end] of sorted) {
    if (begin < expected) fail(`tensor "${name}" (bytes ${begin} to ${end}) overlaps the tensor before it, which ends at ${expected}`);
    if (begin > expected) fail(`there is a gap in the data section: bytes ${expected} to ${begin} belong to no tensor (before "${name}")`);
    expected = end;
  }
  if (expected !== dataLength) fail(`the data section has ${dataLength} bytes but the tensors cover ${expected}`);
  const tensors: Record<string, Tensor> = {};
  for (const [name, dtype, shape, begin, end] of entries) {
    const wide = dtype === "float64";
    const count = (end - begin) / (wide ? 8 : 4);
    // A copy: fresh aligned storage the tensor owns (the file's bytes may sit at any alignment).
    const values = wide ? new Float64Array(count) : new Float32Array(count);
    if (LITTLE_ENDIAN) {
      new Uint8Array(values.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    } else {
      for (let i = 0; i < count; i++) values[i] = wide ? view.getFloat64(dataStart + begin + i * 8, true) : view.getFloat32(dataStart + begin + i * 4, true);
    }
    const t = fromArray(values, shape);
    t.name = name;
    tensors[name] = t;
  }
  return { tensors, metadata };
}

/**
 * Writes `tensors` (e.g. model.stateDict()) to `path` atomically: the bytes go to a temporary file
 * in the same directory, are flushed to disk, and the temporary is renamed over `path`. A crash or
 * an error at any point leaves the previous file whole, and the temporary is removed. Temporaries
 * that processes killed mid-save left next to `path` (`.<name>.tmp-<pid>-<hex>`) are removed after
 * a successful save once their process is gone.
 */
export function save(path: string, tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): void {
  checkPath("save", path);
  // Serializing first means a tensor that cannot be written fails before the disk is touched.
  let bytes: Uint8Array;
  try {
    bytes = serialize(tensors, metadata);
  } catch (e) {
    throw new Error(`save "${path}": ${(e as Error).message.replace(/^serialize: /, "")}; the file was not written`, { cause: e });
  }
  const temp = temporaryPath(path);
  let fd: number | null = null;
  try {
    fd = openSync(temp, "wx");
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // The write error below is the one worth reporting.
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // The temporary may never have been created.
    }
    throw new Error(`save "${path}": ${(e as Error).message}; any previous file there is unchanged`, { cause: e });
  }
  syncDirectory(dirname(path));
  removeStaleTemporaries(path);
}

/** Reads a safetensors file: name → Tensor, in the file's order. */
export function load(path: string): Record<string, Tensor> {
  return loadWithMetadata(path).tensors;
}

/** Reads a safetensors file with its `__metadata__` strings. */
export function loadWithMetadata(path: string): SafetensorsContents {
  checkPath("load", path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`load "${path}": ${(e as Error).message}`, { cause: e });
  }
  return deserialize(bytes, `load "${path}"`);
}

function checkPath(op: string, path: unknown): void {
  if (typeof path !== "string" || path === "") throw new TypeError(`${op}: path must be a non-empty string, got ${given(path, true)}`);
}

/** Makes the rename itself durable. Not every platform can open a directory (Windows cannot): best effort. */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // The data is already on disk; only the directory entry's durability is at stake.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
