// How nn's errors quote a bad argument: the value as given, with its type when the type is the problem.

/**
 * `"784" (a string)`, `NaN`, `-1`, `null`, `[1, 2] (an array)`, `Float32Array`: enough to see what was
 * passed. `typed` adds the type to numbers too, for where a number is the wrong type: `3 (a number)`.
 */
export function given(value: unknown, typed = false): string {
  if (typeof value === "number") return typed ? `${value} (a number)` : String(value);
  if (typeof value === "string") return `${JSON.stringify(value)} (a string)`;
  if (typeof value === "boolean" || typeof value === "bigint") return `${String(value)} (a ${typeof value})`;
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `[${value.slice(0, 4).map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v))).join(", ")}${value.length > 4 ? ", …" : ""}] (an array)`;
  if (typeof value === "function") return "a function";
  return (value as object).constructor?.name ?? "an object";
}
