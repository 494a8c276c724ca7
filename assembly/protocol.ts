// The kernels' side of the wasm protocol: the job descriptor's word indices and the GEMM tile.
// The source is src/kernels/wasm/protocol.mjs; test/wasm-protocol.test.ts checks these are equal to it.

// Job descriptor: i32 words at `job` (their meaning is described in protocol.mjs).
export const OP: i32 = 0;
export const PHASE: i32 = 1;
export const NT: i32 = 2;
export const M: i32 = 3;
export const N: i32 = 4;
export const K: i32 = 5;
export const A: i32 = 6;
export const LDA: i32 = 7;
export const TA: i32 = 8;
export const B: i32 = 9;
export const LDB: i32 = 10;
export const TB: i32 = 11;
export const AP: i32 = 12;
export const BP: i32 = 13;
export const C: i32 = 14;
export const LDC: i32 = 15;
export const ACC: i32 = 16;
export const KC: i32 = 17;
export const SCRATCH: i32 = 18;
export const TC: i32 = 19;
export const NEXT: i32 = 20;
export const DONE: i32 = 22;
export const CHUNKS: i32 = 23;
export const GROUP: i32 = 24;
export const FUSED: i32 = 25;
export const READY: i32 = 26;
export const BY_ROWS: i32 = 27;
export const FINISHED: i32 = 28;
export const ROW_BLOCKS: i32 = 29;

export const OP_GEMM: i32 = 1;
export const PHASE_PACK: i32 = 0;
export const PHASE_COMPUTE: i32 = 1;

/** The register tile: TILE_ROWS rows of A (a pair) times a panel of TILE_COLS columns of B. */
export const TILE_ROWS: i32 = 2;
export const TILE_COLS: i32 = 16;
/** One tile of C in float32 (each thread's edge-tile scratch). */
export const TILE_BYTES: i32 = 128;
