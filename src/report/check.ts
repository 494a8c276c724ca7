// Argument checks shared by the report functions: each error names the function, the argument, the value as given and what is valid.

import { given } from "../tensor/index.ts";
import { checkOptions, type OptionKeys } from "../tensor/describe.ts";

export { checkOptions, given, type OptionKeys };

export function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`${op}: ${name} must be a number, got ${given(value)}`);
  return value;
}

/** An integer >= min (or undefined when allowed by the caller's default). */
export function checkInteger(op: string, name: string, value: unknown, min: number): number {
  checkNumber(op, name, value);
  if (!Number.isInteger(value) || (value as number) < min) throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${value}`);
  return value as number;
}

export function checkString(op: string, name: string, value: unknown): string {
  if (typeof value !== "string") throw new TypeError(`${op}: ${name} must be a string, got ${given(value, true)}`);
  return value;
}

export function checkArray<T>(op: string, name: string, value: unknown, example: string): readonly T[] {
  if (!Array.isArray(value)) throw new TypeError(`${op}: ${name} must be an array such as ${example}, got ${given(value, true)}`);
  return value as T[];
}

export function checkObject<T extends object>(op: string, name: string, value: unknown, example: string): T {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TypeError(`${op}: ${name} must be an object such as ${example}, got ${given(value, true)}`);
  return value as T;
}
