// @ts-check
// The body of a kernel worker, shared by the Node worker (worker.mjs) and the browser one
// (worker-browser.mjs): instantiates the wasm kernels on the shared memory, then helps with every
// job phase the caller publishes (protocol.mjs; the caller's side is pool.ts). Plain JS and
// web-compatible APIs only.

import { CTRL, CTRL_WORDS, ERROR_TEXT_BYTES, GEN_THREAD_BITS, JOB, JOB_WORDS, WORKER_STATE } from "./protocol.mjs";

const THREADS_MASK = (1 << GEN_THREAD_BITS) - 1;

/**
 * Serves jobs until the thread ends; `init` is received once, at start. An error in a kernel is
 * written into the shared memory for the caller to throw (the worker goes on); if the thread itself
 * ends, its state says DEAD so that the caller does not wait for it.
 * @param {import("./protocol.mjs").WorkerInit} init
 */
export function serve({ module, memory, ctrl: ctrlOffset, job, tid, spin, fault }) {
  const ctrl = new Int32Array(memory.buffer, ctrlOffset, CTRL_WORDS);
  const jobWords = new Int32Array(memory.buffer, job, JOB_WORDS);
  const state = CTRL.STATE + tid;
  try {
    const kernels = /** @type {import("./protocol.mjs").KernelExports} */ (/** @type {unknown} */ (new WebAssembly.Instance(module, { env: { memory } }).exports));
    let seen = Atomics.load(ctrl, CTRL.GEN);
    Atomics.store(ctrl, state, WORKER_STATE.IDLE);
    Atomics.add(ctrl, CTRL.READY, 1);
    Atomics.notify(ctrl, CTRL.READY);
    for (;;) {
      // Poll briefly (the next product of a training step usually comes soon), then sleep.
      let gen = Atomics.load(ctrl, CTRL.GEN);
      for (let spins = 0; gen === seen; gen = Atomics.load(ctrl, CTRL.GEN)) {
        if (++spins > spin) {
          Atomics.wait(ctrl, CTRL.GEN, seen);
          spins = 0;
        }
      }
      seen = gen;
      if (tid >= (gen & THREADS_MASK)) continue;
      const tag = gen >>> GEN_THREAD_BITS;
      Atomics.store(ctrl, state, WORKER_STATE.BUSY);
      const injected = fault !== undefined && claimChunk(memory, job, jobWords, tag) ? fault : undefined;
      if (injected) fault = undefined;
      if (injected === "die") throw new Error("a fault injected by a test: this worker's thread ends while it holds a chunk");
      try {
        if (injected === "throw") throw new Error("a fault injected by a test: a kernel call threw");
        Atomics.add(ctrl, CTRL.HELPED, kernels.run(job, tid, tag));
      } catch (error) {
        report(memory, ctrl, ctrlOffset, tid, error);
      }
      Atomics.store(ctrl, state, WORKER_STATE.IDLE);
      if (Atomics.load(jobWords, JOB.DONE) === Atomics.load(jobWords, JOB.CHUNKS)) Atomics.notify(jobWords, JOB.DONE);
    }
  } catch (error) {
    report(memory, ctrl, ctrlOffset, tid, error);
    throw error;
  } finally {
    Atomics.store(ctrl, state, WORKER_STATE.DEAD);
    Atomics.notify(jobWords, JOB.DONE);
  }
}

/**
 * Writes the first failure's message (UTF-8, cut to ERROR_TEXT_BYTES) after the control block, then
 * raises CTRL.ERROR with this worker's tid. A later failure finds the slot taken and only ends up in
 * the pool being off.
 * @param {WebAssembly.Memory} memory @param {Int32Array} ctrl @param {number} ctrlOffset @param {number} tid @param {unknown} error
 */
function report(memory, ctrl, ctrlOffset, tid, error) {
  if (Atomics.compareExchange(ctrl, CTRL.ERROR_LENGTH, 0, -1) !== 0) return;
  const text = new TextEncoder().encode(error instanceof Error ? String(error.stack ?? error) : String(error)).subarray(0, ERROR_TEXT_BYTES);
  new Uint8Array(memory.buffer, ctrlOffset + CTRL_WORDS * 4, ERROR_TEXT_BYTES).set(text);
  Atomics.store(ctrl, CTRL.ERROR_LENGTH, text.length);
  Atomics.store(ctrl, CTRL.ERROR, tid);
}

/**
 * Claims a chunk of the phase tagged `tag` as kernels.runOne does, without doing it (for an injected
 * fault to hold). Whether one was left.
 * @param {WebAssembly.Memory} memory @param {number} job @param {Int32Array} jobWords @param {number} tag
 */
function claimChunk(memory, job, jobWords, tag) {
  const next = new BigInt64Array(memory.buffer, job + JOB.NEXT * 4, 1);
  for (let word = Atomics.load(next, 0); Number(word >> 32n) === tag && Number(BigInt.asUintN(32, word)) < Atomics.load(jobWords, JOB.CHUNKS); word = Atomics.load(next, 0)) {
    if (Atomics.compareExchange(next, 0, word, word + 1n) === word) return true;
  }
  return false;
}
