// Test helpers: load the PyTorch reference fixtures (test/fixtures/*.json) and compare numbers so a failure names case, step and element.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tensor, type Tensor, type DType } from "../../src/tensor/index.ts";

/** A tensor as the fixtures write it: row-major data plus shape. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** The header shared by every fixture file (see test/fixtures/README.md). */
export interface FixtureFile<C> {
  schemaVersion: number;
  group: string;
  recommendedTolerance: Tolerance & { rule: string };
  cases: C[];
  [field: string]: unknown;
}

const cache = new Map<string, unknown>();

/** Parses test/fixtures/<name> once per test file. */
export function loadFixture<T = FixtureFile<Record<string, unknown>>>(name: string): T {
  if (!cache.has(name)) {
    const path = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
    cache.set(name, JSON.parse(readFileSync(path, "utf8")));
  }
  return cache.get(name) as T;
}

/** A fresh tensor holding a fixture tensor's values (float32 unless told). */
export function toTensor(t: FixtureTensor, options: { dtype?: DType; requiresGrad?: boolean } = {}): Tensor {
  return tensor(options.dtype === "float64" ? Float64Array.from(t.data) : Float32Array.from(t.data), { shape: t.shape, ...options });
}

type Numbers = ArrayLike<number> | number | { values(): ArrayLike<number> } | FixtureTensor;

function flat(x: Numbers, label: string): ArrayLike<number> {
  if (typeof x === "number") return [x];
  // Arrays and typed arrays have a values() method too (an iterator), so they are matched first.
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return x as ArrayLike<number>;
  if ("data" in x && "shape" in x && Array.isArray((x as FixtureTensor).data)) return (x as FixtureTensor).data;
  if ("values" in x && typeof x.values === "function") return x.values();
  if (typeof (x as ArrayLike<number>).length === "number") return x as ArrayLike<number>;
  throw new TypeError(`${label}: cannot compare ${String(x)}: expected numbers, an array, a tensor or a fixture tensor`);
}

function shapeOf(x: Numbers): number[] | undefined {
  if (typeof x === "object" && "shape" in x && Array.isArray((x as FixtureTensor).shape)) return (x as FixtureTensor).shape;
  return undefined;
}

/** Row-major flat index → "[i, j, k]" for a shape, or "[i]" without one. */
function indexName(i: number, shape: number[] | undefined): string {
  if (shape === undefined || shape.length <= 1) return `[${i}]`;
  const idx: number[] = [];
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `[${idx.join(", ")}]`;
}

/**
 * Asserts |got − want| ≤ atol + rtol·|want| elementwise. `got` and `want` may be numbers, arrays,
 * typed arrays, tensors (anything with values()) or fixture tensors. On failure the error names
 * `label`, the worst element (multi-index when a shape is known), both values, and how many failed.
 */
export function expectClose(got: Numbers, want: Numbers, rtol: number, atol: number, label: string): void {
  const g = flat(got, label);
  const w = flat(want, label);
  const shape = shapeOf(want) ?? shapeOf(got);
  if (g.length !== w.length) throw new Error(`${label}: got ${g.length} values, want ${w.length}`);
  let failures = 0;
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < w.length; i++) {
    const diff = Math.abs(g[i] - w[i]);
    const ratio = diff / (atol + rtol * Math.abs(w[i]));
    if (!(ratio <= 1)) {
      failures++;
      if (worst < 0 || !(ratio <= worstRatio)) {
        worst = i;
        worstRatio = ratio;
      }
    }
  }
  if (failures > 0) {
    const i = worst;
    throw new Error(
      `${label}: element ${indexName(i, shape)} got ${g[i]}, want ${w[i]} (|diff| ${Math.abs(g[i] - w[i]).toExponential(3)} > ` +
        `atol ${atol} + rtol ${rtol}·|want|); ${failures} of ${w.length} elements out of tolerance`,
    );
  }
}
