// @ts-check
// The wasm protocol, written down once: page limits, the control block and job descriptor layouts,
// the GEMM tile, the worker init message and the kernels' exports. The host (runtime.ts, pool.ts),
// the worker loop (worker-loop.mjs) and the build (scripts/build-wasm.mjs) import it; the kernels'
// copy (assembly/protocol.ts) is checked equal by test/wasm-protocol.test.ts. Plain JS with no
// imports, so that a worker loads it without a TypeScript loader.

/** Bytes in a WebAssembly page. */
export const PAGE_BYTES = 65536;
/** The shared memory starts at 16 MiB and may grow to 1 GiB (in pages). */
export const INITIAL_PAGES = 256;
export const MAXIMUM_PAGES = 16384;

/** Threads a product may use, the caller included; the generation word keeps the count in its low 8 bits. */
export const MAX_THREADS = 64;
export const GEN_THREAD_BITS = 8;

/**
 * Control block: i32 words at `ctrl`.
 * GEN: (tag << GEN_THREAD_BITS) | threads of the phase now published; workers sleep on it.
 * READY: workers that have started listening.
 * ERROR: tid of the first worker whose kernel failed (0: none); its message is at ERROR_TEXT.
 * ERROR_LENGTH: bytes of that message (UTF-8).
 * HELPED: chunks done by workers so far (a statistic: whether the threads really take part).
 * STATE: one word per thread from here on (STATE + tid), a WORKER_STATE value.
 */
export const CTRL = Object.freeze({ GEN: 0, READY: 1, ERROR: 2, ERROR_LENGTH: 3, HELPED: 4, STATE: 16 });
export const CTRL_WORDS = CTRL.STATE + MAX_THREADS;
/** Room for a worker's error message, in bytes, right after the control block. */
export const ERROR_TEXT_BYTES = 1024;

/** What a worker is doing (its word at CTRL.STATE + tid); BUSY is set before it claims chunks and cleared after. */
export const WORKER_STATE = Object.freeze({ STARTING: 0, IDLE: 1, BUSY: 2, DEAD: 3 });

/**
 * Job descriptor: i32 words at `job`, written by the host, read by every thread.
 * A, B, C are byte addresses of the operands and LDA, LDB, LDC their row strides in floats; TA, TB
 * are 1 when the operand is stored transposed; AP, BP the packed copies; ACC 1 for C += A·B; KC the
 * k-block; SCRATCH the edge tiles (TILE_BYTES per thread).
 * TC: 1 when tiles are stored transposed (the host computes Cᵀ = op(B)ᵀ·op(A)ᵀ into C).
 * NEXT: the phase's work queue, an i64 at words NEXT and NEXT + 1: (tag << 32) | next chunk.
 * DONE, CHUNKS: chunks finished, and in all; GROUP: row pairs per compute chunk.
 * FUSED: 1 when B is packed panel by panel in the compute phase, A alone in the pack phase.
 * READY: rows of B, as stored, copied in so far (a FUSED compute chunk waits for its panel's rows).
 * BY_ROWS: 1 when compute chunks are ROW_BLOCKS blocks of rows across every panel; FINISHED then
 * has bit c set once block c is done (at most 32 blocks).
 */
export const JOB = Object.freeze({
  OP: 0, PHASE: 1, NT: 2, M: 3, N: 4, K: 5,
  A: 6, LDA: 7, TA: 8, B: 9, LDB: 10, TB: 11,
  AP: 12, BP: 13, C: 14, LDC: 15, ACC: 16, KC: 17, SCRATCH: 18, TC: 19,
  NEXT: 20, DONE: 22, CHUNKS: 23, GROUP: 24, FUSED: 25, READY: 26,
  BY_ROWS: 27, FINISHED: 28, ROW_BLOCKS: 29,
});
export const JOB_WORDS = 64;
export const MAX_ROW_BLOCKS = 32;

export const OP_GEMM = 1;
export const PHASE_PACK = 0;
export const PHASE_COMPUTE = 1;

/**
 * The GEMM micro-kernel's register tile: TILE_ROWS rows of A (a "pair") times a panel of TILE_COLS
 * columns of B. A is packed TILE_ROWS floats per k step, B TILE_COLS floats per k step.
 */
export const TILE_ROWS = 2;
export const TILE_COLS = 16;
/** One tile of C in float32: each thread's edge-tile scratch. */
export const TILE_BYTES = TILE_ROWS * TILE_COLS * 4;

/**
 * The message a worker receives once, at start.
 * @typedef {object} WorkerInit
 * @property {WebAssembly.Module} module the compiled kernels
 * @property {WebAssembly.Memory} memory the shared memory
 * @property {number} ctrl byte offset of the control block (its error text follows it)
 * @property {number} job byte offset of the job descriptor
 * @property {number} tid this worker's thread number, 1 to MAX_THREADS - 1 (the caller is 0)
 * @property {number} spin polling iterations before sleeping in Atomics.wait
 * @property {WorkerFault} [fault] for tests only: fail in this way once it holds a chunk
 */

/**
 * Failures a test can inject into a worker, each once it holds a chunk: "throw" (its kernel call
 * throws), "die" (its thread ends without finishing the chunk).
 * @typedef {"throw" | "die"} WorkerFault
 */

/**
 * The kernels' exports that the runtime and the pool call (assembly/kernels.ts). Addresses are byte
 * offsets into the shared memory. The optimizers' twins are typed where they are called.
 * @typedef {object} KernelExports
 * @property {() => number} heapBase where the host may lay out its buffers (after the static data)
 * @property {(job: number, tag: number) => void} prepare plans the job's phase and opens its queue under `tag`
 * @property {(job: number) => void} cancel closes the queue: no chunk is claimed after it
 * @property {(job: number, tid: number, tag: number) => number} run claims chunks until none is left; the count done
 * @property {(job: number, tid: number, tag: number) => number} runOne claims and does one chunk; its index or -1
 * @property {(job: number) => void} gemm the whole product on the calling thread
 * @property {(job: number, phase: number) => void} runPhase one phase on the calling thread
 * @property {(x: number, out: number, n: number) => void} relu
 * @property {(y: number, g: number, gx: number, n: number) => void} reluBackward
 * @property {(args: number) => void} im2col conv2d's columns from an image (args record: src/kernels/window-abi.ts)
 * @property {(args: number) => void} col2im the adjoint: the columns added back onto the image
 * @property {(args: number) => void} maxPool max pooling's forward pass (args record: src/kernels/window-abi.ts)
 * @property {(args: number) => void} channelMoments batch and layer norm's per-channel sums about a center (args records: src/kernels/norm-abi.ts)
 * @property {(args: number) => void} channelGradSums the per-channel sums of the affine parameters' gradients
 * @property {(args: number) => void} affineChannels y = x·a[c] + b[c] per channel
 * @property {(args: number) => void} normalizeBackward the gradient through x̂ = (x − μ)/σ, given those sums
 */
