// The body of a kernel worker, shared by the Node worker (worker.mjs) and the browser one
// (worker-browser.mjs): instantiates the wasm kernels on the shared memory, then helps with every
// job phase the caller publishes (protocol in pool.ts). Plain JS and web-compatible APIs only.

const GEN = 0, READY = 2, ERROR = 3, HELPED = 4;
const JOB_DONE = 22, JOB_CHUNKS = 23;

/** Serves jobs forever; `init` is pool.ts's WorkerInit, received once at start. */
export function serve({ module, memory, ctrl: ctrlOffset, job, tid, spin }) {
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctrl = new Int32Array(memory.buffer, ctrlOffset, 16);
  const jobWords = new Int32Array(memory.buffer, job, 64);

  let seen = Atomics.load(ctrl, GEN);
  Atomics.add(ctrl, READY, 1);
  Atomics.notify(ctrl, READY);
  for (;;) {
    // Poll briefly (the next product of a training step usually comes soon), then sleep.
    let gen = Atomics.load(ctrl, GEN);
    for (let spins = 0; gen === seen; gen = Atomics.load(ctrl, GEN)) {
      if (++spins > spin) {
        Atomics.wait(ctrl, GEN, seen);
        spins = 0;
      }
    }
    seen = gen;
    // The generation word is (tag << 8) | threads.
    if (tid >= (gen & 0xff)) continue;
    try {
      Atomics.add(ctrl, HELPED, kernels.run(job, tid, gen >>> 8));
    } catch (error) {
      console.error(`ndgrad kernel worker ${tid}:`, error);
      Atomics.store(ctrl, ERROR, 1);
    }
    if (Atomics.load(jobWords, JOB_DONE) === Atomics.load(jobWords, JOB_CHUNKS)) Atomics.notify(jobWords, JOB_DONE);
  }
}
