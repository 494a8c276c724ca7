// ndgrad's backendInfo() (the backend, threads and workers that really ran) where this version of the core has it, else null.

import * as ndgrad from "../../src/browser.ts";

export function backendInfo(): Record<string, unknown> | null {
  const read: unknown = Reflect.get(ndgrad, "backendInfo");
  return typeof read === "function" ? (read as () => Record<string, unknown>)() : null;
}
