// safetensors: the byte layout, round trips through files, atomic saves, and clear errors for corrupt files.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { randn, tensor, type Tensor } from "../src/tensor/index.ts";
import { manualSeed } from "../src/tensor/rng.ts";
import * as nn from "../src/nn/index.ts";
import { deserialize, load, loadWithMetadata, save, serialize } from "../src/io/safetensors.ts";

const dir = mkdtempSync(join(tmpdir(), "ndgrad-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file from a header object and raw data bytes, exactly as written (for corrupt cases). */
function craft(header: unknown, data = new Uint8Array(0), headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("the file layout, byte by byte", () => {
  const w = tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tensor([0.5, -0.25]);
  const path = join(dir, "layout.safetensors");
  save(path, { w, b }, { format: "pt" });
  const bytes = new Uint8Array(readFileSync(path));
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));

  it("starts with the header length as a little-endian u64, padded to a multiple of 8", () => {
    expect(n % 8).toBe(0);
    expect(bytes.length).toBe(8 + n + 6 * 4 + 2 * 4);
  });

  it("has a JSON header with dtype F32, shapes, contiguous offsets and the metadata, padded with spaces", () => {
    expect(headerText.startsWith("{")).toBe(true);
    expect(/^[^ ]*\}( *)$/.test(headerText)).toBe(true);
    expect(headerText.trimEnd().length).toBeGreaterThan(n - 8);
    expect(JSON.parse(headerText)).toEqual({
      __metadata__: { format: "pt" },
      w: { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] },
      b: { dtype: "F32", shape: [2], data_offsets: [24, 32] },
    });
  });

  it("holds the raw little-endian float32 data after the header", () => {
    const data = new DataView(bytes.buffer, bytes.byteOffset + 8 + n);
    const read = Array.from({ length: 8 }, (_, i) => data.getFloat32(i * 4, true));
    expect(read).toEqual([1, 2, 3, 4, 5, 6, 0.5, -0.25]);
  });

  it("reads back with names, order, shapes, dtypes, values and metadata", () => {
    const { tensors, metadata } = loadWithMetadata(path);
    expect(Object.keys(tensors)).toEqual(["w", "b"]);
    expect(tensors.w.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensors.b.dtype).toBe("float32");
    expect(tensors.b.toArray()).toEqual([0.5, -0.25]);
    expect(metadata).toEqual({ format: "pt" });
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("round trips", () => {
  it("float64, 0-d, empty and non-contiguous tensors survive serialize/deserialize exactly", () => {
    const t: Record<string, Tensor> = {
      d: tensor([Math.PI, 1e-300, -0], { dtype: "float64" }),
      s: tensor(3.5),
      e: tensor(new Float32Array(0), { shape: [0, 4] }),
      tr: tensor([[1, 2], [3, 4]]).T,
    };
    const back = deserialize(serialize(t)).tensors;
    expect(back.d.dtype).toBe("float64");
    expect(Array.from(back.d.values())).toEqual([Math.PI, 1e-300, -0]);
    expect(back.s.shape).toEqual([]);
    expect(back.s.item()).toBe(3.5);
    expect(back.e.shape).toEqual([0, 4]);
    expect(back.tr.toArray()).toEqual([[1, 3], [2, 4]]);
  });

  it("a model's state dict through a file gives identical outputs", () => {
    manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.GELU(), new nn.Linear(8, 3));
    const path = join(dir, "model.safetensors");
    save(path, model.stateDict());
    manualSeed(2);
    const fresh = new nn.Sequential(new nn.Linear(4, 8), new nn.GELU(), new nn.Linear(8, 3));
    const x = randn(5, 4);
    expect(fresh.forward(x).toArray()).not.toEqual(model.forward(x).toArray());
    fresh.loadStateDict(load(path));
    expect(fresh.forward(x).toArray()).toEqual(model.forward(x).toArray());
  });

  it("overwrites an existing file", () => {
    const path = join(dir, "over.safetensors");
    save(path, { a: tensor([1]) });
    save(path, { a: tensor([2, 3]) });
    expect(load(path).a.toArray()).toEqual([2, 3]);
  });
});

describe("atomic saves", () => {
  const temps = (d: string) => readdirSync(d).filter((f) => f.includes(".tmp-"));

  it("a tensor that cannot be serialized fails before the disk is touched; the old file stays whole", () => {
    const path = join(dir, "keep.safetensors");
    save(path, { a: tensor([1, 2, 3]) });
    const before = readFileSync(path);
    const bad = { a: tensor([9]), b: [1, 2] as unknown as Tensor };
    expect(() => save(path, bad)).toThrow(`save "${path}": "b" is not a Tensor (got object), so it cannot be saved; the file was not written`);
    expect(() => save(path, { __metadata__: tensor([1]) })).toThrow('"__metadata__" cannot be a tensor name');
    expect(() => save(path, { a: tensor([1]) }, { epoch: 3 as unknown as string })).toThrow('metadata "epoch" must be a string');
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(temps(dir)).toEqual([]);
  });

  it("a missing directory gives a clear error and leaves nothing behind", () => {
    const path = join(dir, "no-such-dir", "m.safetensors");
    expect(() => save(path, { a: tensor([1]) })).toThrow(new RegExp(`save "${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}": ENOENT`));
    expect(temps(dir)).toEqual([]);
  });

  it("a failed rename (the target is a directory) removes the temporary and leaves the target alone", () => {
    const sub = join(dir, "atomic");
    mkdirSync(sub);
    const target = join(sub, "taken");
    mkdirSync(target);
    writeFileSync(join(target, "inside.txt"), "keep me");
    expect(() => save(target, { a: tensor([1]) })).toThrow(/any previous file there is unchanged/);
    expect(readdirSync(sub)).toEqual(["taken"]);
    expect(readFileSync(join(target, "inside.txt"), "utf8")).toBe("keep me");
  });
});

describe("corrupt files give errors that name the file and the problem", () => {
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const good = serialize({ a: tensor([1, 2, 3, 4]), b: tensor([5, 6]) });

  it("a missing file", () => {
    const path = join(dir, "absent.safetensors");
    expect(() => load(path)).toThrow(`load "${path}": ENOENT`);
  });

  it("an empty file", () => {
    const path = write("empty.safetensors", new Uint8Array(0));
    expect(() => load(path)).toThrow(`load "${path}": the file is empty (0 bytes), not a safetensors file`);
  });

  it("a file shorter than the length field", () => {
    expect(() => load(write("tiny.safetensors", new Uint8Array(5)))).toThrow("the file is truncated: 5 bytes, too short for the 8-byte header length");
  });

  it("a file truncated inside the header", () => {
    expect(() => load(write("cut-header.safetensors", good.subarray(0, 20)))).toThrow(/the file is truncated: the header claims \d+ bytes but only 12 follow/);
  });

  it("a file truncated inside the data", () => {
    const path = write("cut-data.safetensors", good.subarray(0, good.length - 4));
    expect(() => load(path)).toThrow(`load "${path}": tensor "b" has data_offsets [16, 24] outside the data section of 20 bytes (truncated file?)`);
  });

  it("a huge header length (not a safetensors file)", () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => load(write("huge.safetensors", bytes))).toThrow("larger than the 100000000-byte limit");
  });

  it("malformed JSON", () => {
    expect(() => load(write("json.safetensors", craft(null, new Uint8Array(0), '{"a": {"dtype": "F32",')))).toThrow(/the header is not valid JSON/);
    expect(() => load(write("array.safetensors", craft([1, 2])))).toThrow("the header is not a JSON object");
  });

  it("an unknown dtype", () => {
    const path = write("dtype.safetensors", craft({ a: { dtype: "BF16", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)));
    expect(() => load(path)).toThrow('tensor "a" has dtype "BF16", which ndgrad cannot read (supported: F32, F64)');
  });

  it("overlapping offsets", () => {
    const header = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } };
    expect(() => load(write("overlap.safetensors", craft(header, new Uint8Array(12))))).toThrow('tensor "b" (bytes 4 to 12) overlaps the tensor before it, which ends at 8');
  });

  it("out-of-range, inconsistent or malformed offsets, bad shapes, gaps and trailing bytes", () => {
    const bad = (name: string, header: unknown, data: number) => () => load(write(name, craft(header, new Uint8Array(data))));
    expect(bad("range.st", { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, 4)).toThrow("outside the data section of 4 bytes");
    expect(bad("reversed.st", { a: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }, 4)).toThrow("data_offsets [4, 0] outside the data section");
    expect(bad("size.st", { a: { dtype: "F64", shape: [2], data_offsets: [0, 8] } }, 8)).toThrow('tensor "a" of shape [2] F64 needs 16 bytes but data_offsets [0, 8] hold 8');
    expect(bad("offs.st", { a: { dtype: "F32", shape: [1], data_offsets: [0] } }, 4)).toThrow('tensor "a" has invalid data_offsets [0]');
    expect(bad("shape.st", { a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4)).toThrow('tensor "a" has an invalid shape [-1]');
    expect(bad("gap.st", { a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, 8)).toThrow("there is a gap in the data section: bytes 0 to 4 belong to no tensor");
    expect(bad("tail.st", { a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, 8)).toThrow("the data section has 8 bytes but the tensors cover 4");
    expect(bad("meta.st", { __metadata__: { n: 1 } }, 0)).toThrow('__metadata__ "n" is not a string');
  });

  it("deserialize names its source in errors", () => {
    expect(() => deserialize(new Uint8Array(3), "checkpoint")).toThrow("checkpoint: the file is truncated");
  });
});
