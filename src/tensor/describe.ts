// How a value is written in an error message (as it would be written in code, so its type shows), and the one check of an options object.

const SHOWN_ELEMENTS = 8;

/** 3, "3", 3n, [1, 2], null, Float64Array(3), function f: what was actually passed, briefly. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "undefined":
    case "symbol":
      return String(value);
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return `${value}n`;
    case "function":
      return value.name ? `function ${value.name}` : "a function";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    const shown = Array.from({ length: Math.min(value.length, SHOWN_ELEMENTS) }, (_, i) => (i in value ? describe(value[i]) : "<empty>"));
    const more = value.length - shown.length;
    return `[${shown.join(", ")}${more > 0 ? `, … ${more} more` : ""}]`;
  }
  const name = (value as object).constructor?.name ?? "Object";
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? `${name}(${(value as unknown as ArrayLike<unknown>).length})` : name;
}

/** describe() followed by the value's type, for messages where the type is the problem: "3" (a string), 3 (a number), [1, 2] (an array). */
export function describeTyped(value: unknown): string {
  if (value === null || value === undefined || typeof value === "function") return describe(value);
  if (Array.isArray(value)) return `${describe(value)} (an array)`;
  if (typeof value === "object") return describe(value);
  return `${describe(value)} (a ${typeof value})`;
}

/** The value as given, with its type unless it is a number (or `typed` asks for it): for a check that fails on the value or on its type. */
export function given(value: unknown, typed = false): string {
  return typeof value === "number" && !typed ? describe(value) : describeTyped(value);
}

/**
 * Every key of an options type T, each mapped to anything (true, or a default): the valid keys,
 * written so that the compiler checks the set against T, no key missing and none extra.
 */
export type OptionKeys<T> = { readonly [K in keyof T]-?: unknown };

/**
 * The options argument of `op` after checking its shape: undefined gives {}, anything but a plain
 * object throws, and so does a key outside `valid` (a misspelt option would otherwise be ignored).
 * `expected` says what to pass instead of a non-object; by default the list of valid keys.
 */
export function checkOptions<T extends object>(op: string, value: T | undefined, valid: NoInfer<OptionKeys<T>>, expected?: string): T {
  const names = Object.keys(valid);
  if (value === undefined) return {} as T;
  if (!isPlainObject(value)) throw new TypeError(`${op}: options must be ${expected ?? `an object { ${names.join(", ")} }`}, got ${given(value, true)}`);
  for (const key of Object.keys(value)) {
    if (!names.includes(key)) throw new TypeError(`${op}: unknown option ${JSON.stringify(key)} (valid: ${names.join(", ")})`);
  }
  return value;
}

/** An object literal (or Object.create(null)), from any realm: not an array, a Tensor, a Map or another class's instance. */
export function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}
