// The seam the tensor ops call for heavy numeric work: one entry per kernel, backed by plain
// TypeScript or, for float32, by WebAssembly SIMD on a pool of threads (see backend.ts).

import { activeWasm, getNumThreads } from "./backend.ts";
import { gemmJs, type GemmArgs } from "./gemm-js.ts";
import { gemmWasm, type GemmF32Args } from "./gemm-wasm.ts";

export type { GemmArgs };
export { setBackend, getBackend, setNumThreads, getNumThreads, backendInfo, allocateLongLived, releaseLongLived, BACKENDS, type Backend, type BackendInfo } from "./backend.ts";

/** C = op(A)·op(B), or C += op(A)·op(B) with `accumulate`. */
export function gemm(args: GemmArgs): void {
  if (args.a instanceof Float32Array && args.b instanceof Float32Array && args.c instanceof Float32Array) {
    const rt = activeWasm();
    if (rt) return gemmWasm(rt, args as GemmF32Args, getNumThreads());
  }
  gemmJs(args);
}
