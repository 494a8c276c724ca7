// Worker threads sharing the wasm memory, woken and joined through Atomics on a control block in
// that memory: no message is posted per call. Thread 0 is the caller; workers are threads 1..n-1.
//
// One phase of a job: the caller writes the job descriptor, opens its work queue under a fresh tag
// (kernels.prepare), stores (tag << GEN_THREAD_BITS) | threads in the generation word and notifies.
// Every thread, the caller included, then claims chunks from the queue (kernels.run) until none are
// left, and the caller waits until all chunks are done. A worker that wakes late finds the queue
// empty or under another tag and goes back to sleep: a descheduled thread never stalls the caller.
//
// Failure: a worker whose kernel throws writes its message into the memory and raises CTRL.ERROR; a
// worker whose thread ends marks itself DEAD; a worker that stops without a word (killed from
// outside) is noticed when no chunk finishes for `silenceMs`. Each ends the product in an error
// carrying the worker's message, and threads are off for good: later products run on the caller.

import { canBlock, spawnWorker, type WorkerHandle } from "./platform-node.ts";
import { CTRL, CTRL_WORDS, ERROR_TEXT_BYTES, GEN_THREAD_BITS, JOB, WORKER_STATE, type KernelExports, type WorkerFault, type WorkerInit } from "./protocol.mjs";

/** Loop iterations (about 1 ns each) spent polling with Atomics.load before sleeping in Atomics.wait. */
const WORKER_SPIN = 100_000;
const CALLER_SPIN = 20_000;
const START_TIMEOUT_MS = 10_000;
/** No chunk finished for this long while workers hold some: they are taken for dead (a chunk takes milliseconds). */
const SILENCE_MS = 10_000;
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

export class Pool {
  private readonly workers: WorkerHandle[] = [];
  private readonly ctrl: Int32Array;
  private sequence = 0;
  private backoffMs = 0;
  private skipUntil = 0;
  /** When the last worker was started (the start timeout counts from there). */
  private spawnedAt = 0;
  /** Whether all workers asked for have listened once: failing before that is reported (backendInfo), not warned about. */
  private everReady = false;
  /** Why threads are off for good (a worker failed to start, failed or died), or null. */
  failure: Error | null = null;
  /** How long workers may hold chunks without finishing one before they are taken for dead (tests lower it). */
  silenceMs = SILENCE_MS;
  /** For tests: workers started from now on fail in this way in their first job that gives them a chunk. */
  fault: WorkerFault | undefined = undefined;

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
      const init: WorkerInit = { module: this.module, memory: this.memory, ctrl: this.ctrlOffset, job: this.jobOffset, tid: this.workers.length + 1, spin: WORKER_SPIN, fault: this.fault };
      this.workers.push(spawnWorker(init, (error) => this.disable(this.everReady ? error : new Error(`kernel workers could not start: ${error.message}`))));
      this.spawnedAt = performance.now();
    }
    const deadline = this.spawnedAt + START_TIMEOUT_MS;
    for (let ready = Atomics.load(this.ctrl, CTRL.READY); ready < count; ready = Atomics.load(this.ctrl, CTRL.READY)) {
      if (this.failure) return false;
      const dead = this.deadWorker();
      if (dead > 0) {
        this.disable(new Error(`kernel worker ${dead} ended while starting${this.workerMessage()}`));
        return false;
      }
      if (performance.now() > deadline) {
        this.disable(new Error(`kernel workers did not start within ${START_TIMEOUT_MS / 1000} s`));
        return false;
      }
      // A browser starts workers only once its main thread returns to the event loop: waiting here
      // would wait in vain. This product runs on the caller; later ones get the workers once they listen.
      if (!canBlock) return false;
      Atomics.wait(this.ctrl, CTRL.READY, ready, 20);
    }
    this.everReady = true;
    return true;
  }

  /** Workers that have started listening. */
  get started(): number {
    return Atomics.load(this.ctrl, CTRL.READY);
  }

  /** Workers that are running now (none once threads are off). */
  get running(): number {
    if (this.failure) return 0;
    let n = 0;
    for (let tid = 1; tid <= this.workers.length; tid++) {
      const state = Atomics.load(this.ctrl, CTRL.STATE + tid);
      if (state === WORKER_STATE.IDLE || state === WORKER_STATE.BUSY) n++;
    }
    return n;
  }

  /** Chunks that worker threads have done since the pool started. */
  get helped(): number {
    return Atomics.load(this.ctrl, CTRL.HELPED);
  }

  /** Forgets past stalls (for tests that need the threads now). */
  resetBackoff(): void {
    this.backoffMs = 0;
    this.skipUntil = 0;
  }

  /** Whether the next product may use the workers: not after a failure, nor while backing off after they stalled. */
  wanted(): boolean {
    return !this.failure && (this.skipUntil === 0 || performance.now() >= this.skipUntil);
  }

  /**
   * Runs the phase the job descriptor describes on up to `threads` threads (this one included).
   * `meanwhile` runs on this thread once the workers have been woken, before it takes chunks itself
   * (gemm streams an operand in there while the workers start on what is already copied);
   * `afterEach` after each chunk this thread does (gemm copies finished blocks of C out there).
   * Throws if a worker failed or died holding a chunk (threads are then off for good).
   */
  run(threads: number, meanwhile?: () => void, afterEach?: () => void): void {
    const { ctrl, job, kernels, jobOffset } = this;
    const start = performance.now();
    this.sequence = (this.sequence % 0xffffff) + 1;
    const tag = this.sequence;
    kernels.prepare(jobOffset, tag);
    Atomics.store(ctrl, CTRL.GEN, (tag << GEN_THREAD_BITS) | threads);
    Atomics.notify(ctrl, CTRL.GEN);
    meanwhile?.();
    if (afterEach) while (kernels.runOne(jobOffset, 0, tag) >= 0) afterEach();
    else kernels.run(jobOffset, 0, tag);
    const ownDone = performance.now();
    const spun = this.awaitWorkers(job[JOB.CHUNKS]);
    const end = spun ? performance.now() : ownDone;
    const waited = end - ownDone;
    if (waited > STALL_MS && waited > ownDone - start) {
      this.backoffMs = Math.min(Math.max(2 * this.backoffMs, MIN_BACKOFF_MS), MAX_BACKOFF_MS);
      this.skipUntil = end + this.backoffMs;
    } else {
      this.backoffMs = 0;
      this.skipUntil = 0;
    }
  }

  /**
   * Waits until the workers have finished the chunks they hold, or throws if one failed, died or
   * fell silent. Whether it had to wait at all. Only the spin is on the fast path; the checks for
   * dead workers run once waiting has gone on for a while.
   */
  private awaitWorkers(chunks: number): boolean {
    const { ctrl, job } = this;
    let done = Atomics.load(job, JOB.DONE);
    if (done >= chunks) return false;
    let spins = 0, last = done, progressAt = performance.now();
    for (; done < chunks; done = Atomics.load(job, JOB.DONE)) {
      if (Atomics.load(ctrl, CTRL.ERROR) !== 0) this.fail(this.workerError(), true);
      if (++spins <= CALLER_SPIN) continue;
      if (canBlock) Atomics.wait(job, JOB.DONE, done, 1);
      const now = performance.now();
      if (done !== last) {
        last = done;
        progressAt = now;
      } else if (!this.anyBusy() && Atomics.load(job, JOB.DONE) < chunks) {
        // Every chunk was claimed before the caller got here, and no live worker holds one: the holder is gone.
        this.fail(Atomics.load(ctrl, CTRL.ERROR) !== 0 ? this.workerError() : new Error(`kernel worker ${this.deadWorker() || "?"} ended while holding part of this product`), true);
      } else if (now - progressAt > this.silenceMs) {
        this.fail(new Error(`no kernel worker finished its part of this product for ${(this.silenceMs / 1000).toFixed(1)} s (a worker thread was killed or hangs)`), false);
      }
    }
    return true;
  }

  /**
   * Gives up on the current job: closes its queue, lets live workers finish the chunk they are in
   * (`drain`, bounded: they write into the memory), turns threads off and throws.
   */
  private fail(error: Error, drain: boolean): never {
    this.kernels.cancel(this.jobOffset);
    const deadline = performance.now() + this.silenceMs;
    while (drain && this.anyBusy() && performance.now() < deadline) {
      if (canBlock) Atomics.wait(this.job, JOB.DONE, Atomics.load(this.job, JOB.DONE), 1);
    }
    this.disable(error);
    throw new Error(`gemm: ${error.message}`, { cause: error.cause });
  }

  /** Turns threads off for good (once, with one warning if they had been running) and stops the workers. */
  private disable(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const worker of this.workers) worker.terminate();
    if (this.everReady) console.warn(`ndgrad: ${error.message}. Threads are off from now on: products run on the calling thread (backendInfo() shows it).`);
  }

  /**
   * The failed worker's own error, as it wrote it into the memory (read before anything is thrown):
   * its first line in the message, the worker's stack as the cause.
   */
  private workerError(): Error {
    const tid = Atomics.load(this.ctrl, CTRL.ERROR);
    const error = new Error(`kernel worker ${tid} failed${this.workerMessage()}`);
    const text = this.workerText();
    if (text.includes("\n")) error.cause = Object.assign(new Error(text.split("\n")[0]), { stack: text });
    return error;
  }

  /** ": " and the first line of the worker's error, or "" if it left none. */
  private workerMessage(): string {
    const text = this.workerText();
    return text === "" ? "" : `: ${text.split("\n")[0]}`;
  }

  private workerText(): string {
    const length = Math.min(Atomics.load(this.ctrl, CTRL.ERROR_LENGTH), ERROR_TEXT_BYTES);
    if (length <= 0) return "";
    // TextDecoder refuses views of shared memory: copy the bytes out first.
    return new TextDecoder().decode(new Uint8Array(this.memory.buffer, this.ctrlOffset + CTRL_WORDS * 4, length).slice());
  }

  private anyBusy(): boolean {
    for (let tid = 1; tid <= this.workers.length; tid++) if (Atomics.load(this.ctrl, CTRL.STATE + tid) === WORKER_STATE.BUSY) return true;
    return false;
  }

  /** The tid of a worker whose thread has ended, or 0. */
  private deadWorker(): number {
    for (let tid = 1; tid <= this.workers.length; tid++) if (Atomics.load(this.ctrl, CTRL.STATE + tid) === WORKER_STATE.DEAD) return tid;
    return 0;
  }
}
