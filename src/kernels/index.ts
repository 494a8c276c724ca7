// The seam the tensor ops call for heavy numeric work: one entry per kernel, backed by a native BLAS
// (products, in Node), WebAssembly SIMD on a pool of threads (float32), or plain TypeScript (see backend.ts).

import { activeBlas, activeWasm, getNumThreads } from "./backend.ts";
import { gemmBlas } from "./gemm-blas.ts";
import { gemmJs, type GemmArgs } from "./gemm-js.ts";
import { gemmWasm, type GemmF32Args } from "./gemm-wasm.ts";

export type { GemmArgs };
export { setBackend, getBackend, setNumThreads, getNumThreads, backendInfo, allocateLongLived, releaseLongLived, BACKENDS, type Backend, type BackendInfo } from "./backend.ts";

/** C = op(A)·op(B), or C += op(A)·op(B) with `accumulate`. */
export function gemm(args: GemmArgs): void {
  const blas = activeBlas();
  if (blas && gemmBlas(blas, args, getNumThreads())) return;
  if (args.a instanceof Float32Array && args.b instanceof Float32Array && args.c instanceof Float32Array) {
    const rt = activeWasm();
    if (rt) return gemmWasm(rt, args as GemmF32Args, getNumThreads());
  }
  gemmJs(args);
}
