// IDX reader: good and corrupt files written to a temp directory, raw and gzip, every element type; loadMnist on corrupt labels.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { encodeIdx, parseIdx, readIdx, type IdxData, type IdxType } from "../datasets/idx.ts";
import { FASHION_MNIST_CLASSES, loadIdxDir, loadMnist, MAX_UNNAMED_CLASSES } from "../datasets/index.ts";

const dir = mkdtempSync(join(tmpdir(), "ndgrad-idx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** An IDX file by hand, header byte by byte, so the test does not trust encodeIdx. */
function handMade(typeCode: number, dims: number[], body: number[]): Uint8Array {
  const header = [0, 0, typeCode, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...body]);
}

describe("readIdx", () => {
  it("reads a raw ubyte file: dims from the big-endian header, data as bytes", () => {
    const path = write("images-idx3-ubyte", handMade(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]));
    const { type, dims, data } = readIdx(path);
    expect(type).toBe("ubyte");
    expect(dims).toEqual([2, 2, 3]);
    expect(data).toBeInstanceOf(Uint8Array);
    expect(Array.from(data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  });

  it("reads big-endian floats", () => {
    // 1.5 = 0x3FC00000, -2 = 0xC0000000
    const path = write("floats-idx1", handMade(0x0d, [2], [0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]));
    const { type, dims, data } = readIdx(path);
    expect(type).toBe("float");
    expect(dims).toEqual([2]);
    expect(data).toBeInstanceOf(Float32Array);
    expect(Array.from(data)).toEqual([1.5, -2]);
  });

  it("reads a dimension larger than 255 (all four header bytes count)", () => {
    const n = 70000; // 0x00011170
    const { dims, data } = readIdx(write("labels-idx1-ubyte", encodeIdx([n], new Uint8Array(n).fill(7))));
    expect(dims).toEqual([n]);
    expect(data.length).toBe(n);
  });

  it("reads a gzip file, by magic bytes and with a .gz name", () => {
    const raw = encodeIdx([3], Uint8Array.from([9, 8, 7]));
    expect(Array.from(readIdx(write("a-idx1-ubyte.gz", gzipSync(raw))).data)).toEqual([9, 8, 7]);
    expect(Array.from(readIdx(write("b-idx1-ubyte", gzipSync(raw))).data)).toEqual([9, 8, 7]);
  });

  it("reads a raw file that carries a .gz name (as browsers leave decompressed downloads)", () => {
    const raw = encodeIdx([3], Uint8Array.from([1, 2, 3]));
    expect(Array.from(readIdx(write("c-idx1-ubyte.gz", raw)).data)).toEqual([1, 2, 3]);
  });

  const types: [IdxType, IdxData][] = [
    ["ubyte", Uint8Array.from([0, 128, 255])],
    ["sbyte", Int8Array.from([-128, 0, 127])],
    ["short", Int16Array.from([-32768, 258, 32767])],
    ["int", Int32Array.from([-2147483648, 16909060, 2147483647])],
    ["float", Float32Array.from([-1.25, 0, 3.4e38])],
    ["double", Float64Array.from([-1e300, Math.PI, 5e-324])],
  ];
  it.each(types)("round-trips %s through encodeIdx, raw and gzip", (type, values) => {
    const bytes = encodeIdx([1, 3], values, type);
    for (const file of [write(`${type}.idx`, bytes), write(`${type}.idx.gz`, gzipSync(bytes))]) {
      const got = readIdx(file);
      expect(got.type).toBe(type);
      expect(got.dims).toEqual([1, 3]);
      expect(got.data.constructor).toBe(values.constructor);
      expect(Array.from(got.data)).toEqual(Array.from(values));
    }
  });
});

describe("readIdx errors name the file and what is wrong", () => {
  it("wrong magic number", () => {
    const path = write("not-idx", Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]));
    expect(() => readIdx(path)).toThrow(`IDX file ${path}: wrong magic number 0x504B0304`);
  });

  it("unknown type code", () => {
    const path = write("bad-type", handMade(0x0a, [1], [0]));
    expect(() => readIdx(path)).toThrow(`IDX file ${path}: unknown type code 0x0A`);
  });

  it("truncated data: expected and actual byte counts", () => {
    const full = handMade(0x08, [10, 4], Array.from({ length: 40 }, (_, i) => i));
    const path = write("truncated", full.subarray(0, full.length - 5));
    expect(() => readIdx(path)).toThrow(`IDX file ${path}: truncated: dims [10, 4] of ubyte need 52 bytes (12 header + 40 data), got 47 (5 missing)`);
  });

  it("truncated floats count bytes, not elements", () => {
    const full = encodeIdx([3], Float32Array.from([1, 2, 3]));
    const path = write("truncated-float", full.subarray(0, full.length - 1));
    expect(() => readIdx(path)).toThrow("need 20 bytes (8 header + 12 data), got 19");
  });

  it("truncated header", () => {
    const path = write("short-header", Uint8Array.from([0, 0, 8, 3, 0, 0]));
    expect(() => readIdx(path)).toThrow(`IDX file ${path}: truncated header: 3 dimensions need 16 header bytes, got 6`);
  });

  it("truncated gzip stream", () => {
    const gz = gzipSync(encodeIdx([1000], new Uint8Array(1000).map((_, i) => i * 31)));
    const path = write("cut.gz", gz.subarray(0, gz.length >> 1));
    expect(() => readIdx(path)).toThrow(`IDX file ${path}: corrupt gzip data`);
  });

  it("trailing bytes after the data", () => {
    const path = write("too-long", handMade(0x08, [2], [1, 2, 3]));
    expect(() => readIdx(path)).toThrow(`IDX file ${path}: 1 unexpected bytes after the data`);
  });

  it("a missing file", () => {
    expect(() => readIdx(join(dir, "nope"))).toThrow(`readIdx: no such file: ${join(dir, "nope")}`);
  });

  it("parseIdx names what it was given", () => {
    expect(() => parseIdx(Uint8Array.from([0, 0]), "labels.bin")).toThrow("IDX file labels.bin: too short for an IDX header: expected at least 4 bytes, got 2");
  });
});

describe("loadMnist refuses labels outside the data set's classes", () => {
  /** A directory of the four IDX files: 3 images of 2×2 pixels per split, labels [0, 1, 2] except where `corrupt` says. */
  function idxDir(name: string, corrupt: { index: number; label: number }, type: "ubyte" | "int" = "int"): string {
    const path = join(dir, name);
    mkdirSync(path);
    const labels = Int32Array.from([0, 1, 2]);
    labels[corrupt.index] = corrupt.label;
    writeFileSync(join(path, "train-images-idx3-ubyte"), encodeIdx([3, 2, 2], new Uint8Array(12)));
    writeFileSync(join(path, "train-labels-idx1-ubyte"), encodeIdx([3], type === "int" ? labels : Uint8Array.from(labels), type));
    writeFileSync(join(path, "t10k-images-idx3-ubyte"), encodeIdx([3, 2, 2], new Uint8Array(12)));
    writeFileSync(join(path, "t10k-labels-idx1-ubyte"), encodeIdx([3], Uint8Array.from([0, 1, 2])));
    return path;
  }

  it("names the file, the index and the value of a label of 2,000,000,000, without allocating a class per label", () => {
    const path = idxDir("huge-label", { index: 1, label: 2_000_000_000 });
    expect(() => loadMnist({ source: path })).toThrow(
      `loadMnist: ${join(path, "train-labels-idx1-ubyte")} holds label 2000000000 at index 1, outside 0…${MAX_UNNAMED_CLASSES - 1} (${MAX_UNNAMED_CLASSES} classes at most for a directory loaded without class names): the file is corrupt or belongs to another data set`,
    );
  });

  it("names a negative label the same way", () => {
    const path = idxDir("negative-label", { index: 2, label: -7 });
    expect(() => loadMnist({ source: path })).toThrow(`${join(path, "train-labels-idx1-ubyte")} holds label -7 at index 2, outside 0…`);
  });

  it("checks labels against the class names it was given", () => {
    const path = idxDir("eleventh-class", { index: 0, label: 10 }, "ubyte");
    expect(() => loadIdxDir(path, { name: "fashion-mnist", classNames: FASHION_MNIST_CLASSES })).toThrow(
      `loadMnist: ${join(path, "train-labels-idx1-ubyte")} holds label 10 at index 0, outside 0…9 (the 10 classes of fashion-mnist): the file is corrupt or belongs to another data set`,
    );
  });

  it("still loads a directory whose labels are in range, with ten class names at least", () => {
    const d = loadMnist({ source: idxDir("good", { index: 0, label: 12 }) });
    expect(d.classNames).toHaveLength(13);
    expect(Array.from(d.train.labels)).toEqual([12, 1, 2]);
  });
});
