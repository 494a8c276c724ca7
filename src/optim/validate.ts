// Checks for hyper-parameters, with PyTorch's messages plus the valid range; the Optimizer prefixes the class and group.

import { describe } from "../tensor/index.ts";

export { describe };

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

export function checkLr(lr: unknown): void {
  if (!isFiniteNumber(lr) || lr < 0) throw new RangeError(`Invalid learning rate: ${describe(lr)} (must be a finite number >= 0)`);
}

/** A finite number ≥ 0; `label` is the option name as in PyTorch's "Invalid <label> value: x". */
export function checkNonNegative(label: string, value: unknown): void {
  if (!isFiniteNumber(value) || value < 0) throw new RangeError(`Invalid ${label} value: ${describe(value)} (must be a finite number >= 0)`);
}

export function checkEps(eps: unknown): void {
  if (!isFiniteNumber(eps) || eps < 0) throw new RangeError(`Invalid epsilon value: ${describe(eps)} (must be a finite number >= 0)`);
}

/** A finite number in [lo, hi] (or [lo, hi) with `openHigh`). */
export function checkInRange(label: string, value: unknown, lo: number, hi: number, openHigh = false): void {
  const ok = isFiniteNumber(value) && value >= lo && (openHigh ? value < hi : value <= hi);
  if (!ok) throw new RangeError(`Invalid ${label} value: ${describe(value)} (must be in [${lo}, ${hi}${openHigh ? ")" : "]"})`);
}

export function checkFinite(label: string, value: unknown): void {
  if (!isFiniteNumber(value)) throw new RangeError(`Invalid ${label} value: ${describe(value)} (must be a finite number)`);
}

/** A pair [β1, β2] in [0, 1); `label` names an option other than betas (Muon's adamBetas). */
export function checkBetas(betas: unknown, label = "betas"): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new RangeError(`Invalid ${label} value: ${describe(betas)} (must be a pair [beta1, beta2])`);
  const of = label === "betas" ? "" : ` of ${label}`;
  betas.forEach((b, i) => {
    if (!isFiniteNumber(b) || b < 0 || b >= 1) throw new RangeError(`Invalid beta parameter at index ${i}${of}: ${describe(b)} (must be in [0, 1))`);
  });
}

export function checkBoolean(label: string, value: unknown): void {
  if (typeof value !== "boolean") throw new TypeError(`Invalid ${label} value: ${describe(value)} (must be true or false)`);
}

/** An integer ≥ min (counts such as iterations or warmup steps). */
export function checkInteger(label: string, value: unknown, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) throw new RangeError(`Invalid ${label} value: ${describe(value)} (must be an integer >= ${min})`);
}
