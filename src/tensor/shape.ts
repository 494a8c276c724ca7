// Shape arithmetic: sizes, row-major strides, dims, broadcasting, and how shapes are written in errors.

import { describe, describeTyped } from "./describe.ts";

export type Shape = readonly number[];

/** Shapes are written as PyTorch prints them in errors: [3, 4]. */
export function fmt(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function rowMajorStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The shape as given if every size is a non-negative integer; otherwise names the first bad size, with its type. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of sizes such as [2, 3], got ${describe(shape)}`);
  const bad = shape.findIndex((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0);
  if (bad >= 0) {
    const what = typeof shape[bad] === "number" ? "" : `, got ${describeTyped(shape[bad])} at position ${bad}`;
    throw new RangeError(`${op}: invalid shape ${describe(shape)}: sizes must be non-negative integers${what}`);
  }
  return shape;
}

/** Resolves a possibly negative dim against ndim, as PyTorch does; throws with the valid range. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new TypeError(`${op}: dim must be an integer, got ${typeof dim === "string" ? JSON.stringify(dim) : String(dim)}`);
  if (dim < lo || dim > hi) {
    throw new RangeError(`${op}: dim ${dim} is out of range for a tensor of ${ndim} dims (expected ${lo} to ${hi})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** NumPy broadcasting: align from the right; sizes must match or be 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Views a row-major shape as [outer, n, inner] around `dim` (how every per-axis kernel walks it). */
export function splitAt(shape: Shape, dim: number): [outer: number, n: number, inner: number] {
  return [sizeOf(shape.slice(0, dim)), shape[dim] ?? 1, sizeOf(shape.slice(dim + 1))];
}
