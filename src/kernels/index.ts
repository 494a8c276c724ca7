// The seam the tensor ops call for heavy numeric work: one entry per kernel, backed by plain TypeScript.

import { gemmJs, type GemmArgs } from "./gemm-js.ts";

export type { GemmArgs };

/** C = op(A)·op(B), or C += op(A)·op(B) with `accumulate`. */
export function gemm(args: GemmArgs): void {
  gemmJs(args);
}
