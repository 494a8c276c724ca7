// Worker threads sharing the wasm memory, woken and joined through Atomics on a control block in
// that memory: no message is posted per call. Thread 0 is the caller; workers are threads 1..n-1.
//
// One phase of a job: the caller writes the job descriptor, opens its work queue under a fresh tag
// (kernels.prepare), stores (tag << 8) | threads in the generation word and notifies. Every thread,
// the caller included, then claims chunks from the queue (kernels.run) until none are left, and the
// caller waits until all chunks are done. A worker that wakes late finds the queue empty or under
// another tag and goes back to sleep: a descheduled thread never stalls the caller.

import { canBlock, spawnWorker, type WorkerHandle } from "./platform-node.ts";
import type { KernelExports } from "./runtime.ts";

/** Control block words (Int32Array indices at `ctrl`); worker-loop.mjs uses the same numbers. */
export const CTRL_GEN = 0;
export const CTRL_READY = 2;
export const CTRL_ERROR = 3;
/** Chunks done by workers so far (a statistic: shows whether the threads really take part). */
export const CTRL_HELPED = 4;
export const CTRL_WORDS = 16;
/** Job descriptor words the pool reads (JOB.DONE, JOB.CHUNKS in runtime.ts; also in worker-loop.mjs). */
const JOB_DONE = 22;
const JOB_CHUNKS = 23;
/** The generation word keeps the thread count in its low 8 bits. */
export const MAX_THREADS = 64;

/** Loop iterations (about 1 ns each) spent polling with Atomics.load before sleeping in Atomics.wait. */
const WORKER_SPIN = 100_000;
const CALLER_SPIN = 20_000;
const START_TIMEOUT_MS = 10_000;
/**
 * The caller waiting this long for workers after its own share (and longer than that share took)
 * means a worker was descheduled mid-chunk: the machine is busier than its cores, and threads cost
 * more than they give. Products then stay on the caller for a while: 2 ms after a first stall,
 * doubling up to 250 ms while stalls go on, so a busy machine costs little and a quiet one soon
 * gets its threads back.
 */
const STALL_MS = 0.2;
const MIN_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 250;

/** What a worker receives once, at start: the compiled kernels, the memory and where to look. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offsets of the control block and of the job descriptor. */
  ctrl: number;
  job: number;
  tid: number;
  spin: number;
}

export class Pool {
  private readonly workers: WorkerHandle[] = [];
  private readonly ctrl: Int32Array;
  private sequence = 0;
  private backoffMs = 0;
  private skipUntil = 0;
  /** When the last worker was started (the start timeout counts from there). */
  private spawnedAt = 0;
  /** Why threads are off for good (a worker failed to start or died), or null. */
  failure: Error | null = null;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly kernels: KernelExports,
    private readonly ctrlOffset: number,
    private readonly jobOffset: number,
    private readonly job: Int32Array,
  ) {
    this.ctrl = new Int32Array(memory.buffer, ctrlOffset, CTRL_WORDS);
  }

  /** Starts workers until there are `count` of them and waits until they listen; false if that failed. */
  ensure(count: number): boolean {
    if (this.failure) return false;
    while (this.workers.length < count) {
      const init: WorkerInit = { module: this.module, memory: this.memory, ctrl: this.ctrlOffset, job: this.jobOffset, tid: this.workers.length + 1, spin: WORKER_SPIN };
      this.workers.push(spawnWorker(init, (error) => { this.failure ??= error; }));
      this.spawnedAt = performance.now();
    }
    const deadline = this.spawnedAt + START_TIMEOUT_MS;
    for (let ready = Atomics.load(this.ctrl, CTRL_READY); ready < count; ready = Atomics.load(this.ctrl, CTRL_READY)) {
      if (this.failure) return false;
      if (performance.now() > deadline) {
        this.failure = new Error(`kernel workers did not start within ${START_TIMEOUT_MS / 1000} s`);
        return false;
      }
      // A browser starts workers only once its main thread returns to the event loop: waiting here
      // would wait in vain. This product runs on the caller; later ones get the workers once they listen.
      if (!canBlock) return false;
      Atomics.wait(this.ctrl, CTRL_READY, ready, 20);
    }
    return true;
  }

  /** Chunks that worker threads have done since the pool started. */
  get helped(): number {
    return Atomics.load(this.ctrl, CTRL_HELPED);
  }

  /** Forgets past stalls (for tests that need the threads now). */
  resetBackoff(): void {
    this.backoffMs = 0;
    this.skipUntil = 0;
  }

  /** Whether the next product may use the workers: not while backing off after they stalled. */
  wanted(): boolean {
    return this.skipUntil === 0 || performance.now() >= this.skipUntil;
  }

  /**
   * Runs the phase the job descriptor describes on up to `threads` threads (this one included).
   * `meanwhile` runs on this thread once the workers have been woken, before it takes chunks itself
   * (gemm streams an operand in there while the workers start on what is already copied);
   * `afterEach` after each chunk this thread does (gemm copies finished blocks of C out there).
   */
  run(threads: number, meanwhile?: () => void, afterEach?: () => void): void {
    const { ctrl, job, kernels, jobOffset } = this;
    const start = performance.now();
    this.sequence = (this.sequence % 0xffffff) + 1;
    const tag = this.sequence;
    kernels.prepare(jobOffset, tag);
    Atomics.store(ctrl, CTRL_GEN, (tag << 8) | threads);
    Atomics.notify(ctrl, CTRL_GEN);
    meanwhile?.();
    if (afterEach) while (kernels.runOne(jobOffset, 0, tag) >= 0) afterEach();
    else kernels.run(jobOffset, 0, tag);
    const chunks = job[JOB_CHUNKS];
    const ownDone = performance.now();
    let spins = 0;
    for (let done = Atomics.load(job, JOB_DONE); done < chunks; done = Atomics.load(job, JOB_DONE)) {
      if (Atomics.load(ctrl, CTRL_ERROR) !== 0) break;
      if (canBlock && ++spins > CALLER_SPIN) Atomics.wait(job, JOB_DONE, done, 1);
    }
    const end = spins > 0 ? performance.now() : ownDone;
    const waited = end - ownDone;
    if (waited > STALL_MS && waited > ownDone - start) {
      this.backoffMs = Math.min(Math.max(2 * this.backoffMs, MIN_BACKOFF_MS), MAX_BACKOFF_MS);
      this.skipUntil = end + this.backoffMs;
    } else {
      this.backoffMs = 0;
      this.skipUntil = 0;
    }
    if (Atomics.load(ctrl, CTRL_ERROR) !== 0) {
      Atomics.store(ctrl, CTRL_ERROR, 0);
      throw new Error("gemm: a kernel worker thread failed (see its error above)");
    }
  }
}
