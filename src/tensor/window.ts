// Argument checks shared by the sliding-window ops (conv2d, maxPool2d, avgPool2d): sizes given as a
// number or an [h, w] pair, and the [N, C, H, W] input.

import { given } from "./describe.ts";
import { checkTensor } from "./operand.ts";
import { fmt } from "./shape.ts";
import type { Tensor } from "./tensor.ts";

/** A size along both spatial axes: one number for both, or [h, w]. */
export type Size2 = number | readonly [number, number];

/** Expands `value` to [h, w], refusing anything but integers ≥ `min`, and names the option and the op. */
export function pair(op: string, option: string, value: unknown, min: number): [number, number] {
  const both = typeof value === "number" ? [value, value] : Array.isArray(value) && value.length === 2 ? value : null;
  const what = min === 0 ? "non-negative" : "positive";
  if (both === null || !both.every((v) => typeof v === "number" && Number.isInteger(v) && v >= min)) {
    const shown = Array.isArray(value) ? `[${value.map(String).join(", ")}]` : typeof value === "number" ? String(value) : given(value);
    throw new RangeError(`${op}: ${option} must be a ${what} integer or a pair [h, w] of them, got ${shown}`);
  }
  return [both[0], both[1]];
}

/** The input of a 2-D window op: a 4-D tensor [N, C, H, W]. */
export function checkImages(op: string, x: unknown): Tensor {
  const t = checkTensor(op, x);
  if (t.ndim !== 4) throw new RangeError(`${op}: expected a 4-D input [N, C, H, W], got ${fmt(t.shape)}`);
  return t;
}

/** Refuses a window (kernel·dilation) that does not fit in the padded input: there would be no output. */
export function checkFits(op: string, x: Tensor, window: [number, number], padding: [number, number], kernelText: string): void {
  const [h, w] = x.shape.slice(2);
  const padded = [h + 2 * padding[0], w + 2 * padding[1]];
  if (window[0] > padded[0] || window[1] > padded[1]) {
    throw new RangeError(`${op}: ${kernelText} is larger than the padded input ${padded[0]}×${padded[1]} (input ${fmt(x.shape)}, padding [${padding.join(", ")}]); the window must fit`);
  }
}
