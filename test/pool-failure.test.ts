// The thread pool's failure paths, each in a child process: a worker whose kernel throws, a worker whose
// thread ends while it holds a chunk, and a worker killed from outside mid-product. Each product ends in
// a clear error (carrying the worker's own message when it could leave one) within a bounded time, with
// one warning; threads are then off for good and later products are right on the calling thread.

import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const src = (path: string) => JSON.stringify(new URL(`../src/${path}`, import.meta.url).href);
const dir = mkdtempSync(join(tmpdir(), "ndgrad-pool-"));
const script = join(dir, "pool-failure.ts");
writeFileSync(script, `
import { backendInfo, gemm, setNumThreads } from ${src("kernels/index.ts")};
import { CTRL, JOB, PHASE_COMPUTE, WORKER_STATE } from ${src("kernels/wasm/protocol.mjs")};
import { wasmRuntime } from ${src("kernels/wasm/runtime.ts")};

const mode = process.argv[2];
setNumThreads(2);
const rt = wasmRuntime()!;
const pool = rt.pool as unknown as { run: (...args: unknown[]) => void; workers: { terminate(): void }[]; ctrl: Int32Array; silenceMs: number; fault?: string; resetBackoff(): void };
pool.silenceMs = 2000;
if (mode !== "kill") pool.fault = mode;

const m = 256, n = 1024, k = 1024;
const a = new Float32Array(m * k).fill(1), b = new Float32Array(k * n).fill(0.5), c = new Float32Array(m * n);
const product = () => {
  pool.resetBackoff();
  c.fill(-1);
  gemm({ m, n, k, a, aOffset: 0, lda: k, transA: false, b, bOffset: 0, ldb: n, transB: false, c, cOffset: 0, ldc: n, accumulate: false });
};
if (mode === "kill") {
  product();
  // Kill worker 1 (terminate, as a host would) once it has claimed a compute chunk (long: it dies inside it), before the caller takes any.
  const run = pool.run.bind(pool);
  pool.run = (threads, meanwhile, afterEach) => run(threads, () => {
    (meanwhile as (() => void) | undefined)?.();
    if (pool.workers.length === 0 || (pool as unknown as { killed?: boolean }).killed || rt.job[JOB.PHASE] !== PHASE_COMPUTE) return;
    const deadline = performance.now() + 2000;
    while (Atomics.load(rt.job, JOB.NEXT) === 0 && performance.now() < deadline) {}
    if (Atomics.load(pool.ctrl, CTRL.STATE + 1) === WORKER_STATE.BUSY && Atomics.load(rt.job, JOB.NEXT) > 0) {
      pool.workers[0].terminate();
      (pool as unknown as { killed?: boolean }).killed = true;
    }
  }, afterEach);
}

let error: Error | null = null, tries = 0, failedAfterMs = 0;
for (; tries < 300 && !error; tries++) {
  const t0 = performance.now();
  try { product(); } catch (e) { error = e as Error; failedAfterMs = performance.now() - t0; }
}
const helped = rt.pool.helped;
product();
console.log(JSON.stringify({ message: error?.message ?? null, cause: (error?.cause as Error | undefined)?.stack ?? null, tries, failedAfterMs, right: c.every((x) => x === k * 0.5), helpedLater: rt.pool.helped - helped, info: backendInfo() }));
`);

interface Outcome {
  message: string | null; cause: string | null; tries: number; failedAfterMs: number; right: boolean; helpedLater: number;
  info: { threads: number; workersStarted: number; workerFailure: string | null };
}

async function runScript(mode: string): Promise<{ out: Outcome; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", script, mode], {
    cwd: new URL("..", import.meta.url).pathname, env: { ...process.env, NDGRAD_BACKEND: "wasm" }, timeout: 90_000,
  });
  return { out: JSON.parse(stdout.trim().split("\n").pop()!) as Outcome, stderr };
}

function expectOneThreadFromNowOn(out: Outcome, stderr: string): void {
  expect(out.right).toBe(true);
  expect(out.helpedLater).toBe(0);
  expect(out.info.threads).toBe(1);
  expect(out.info.workersStarted).toBe(1);
  expect(out.info.workerFailure).toBe(out.message!.replace(/^gemm: /, ""));
  expect(stderr.match(/Threads are off from now on/g)).toHaveLength(1);
}

/** Longer than the child process may take (its own limit is 90 s), so a slow child fails with its own message. */
const TEST_LIMIT_MS = 120_000;

describe("the thread pool when a worker fails", () => {
  it("a kernel that throws in a worker: its own message ends the product, then one thread", async () => {
    const { out, stderr } = await runScript("throw");
    expect(out.message).toBe("gemm: kernel worker 1 failed: Error: a fault injected by a test: a kernel call threw");
    expect(out.cause).toMatch(/^Error: a fault injected by a test: a kernel call threw\n\s+at serve .*worker-loop\.mjs/);
    expectOneThreadFromNowOn(out, stderr);
  }, TEST_LIMIT_MS);

  it("a worker whose thread ends holding a chunk: an error at once, naming why, then one thread", async () => {
    const { out, stderr } = await runScript("die");
    expect(out.message).toBe("gemm: kernel worker 1 failed: Error: a fault injected by a test: this worker's thread ends while it holds a chunk");
    expectOneThreadFromNowOn(out, stderr);
  }, TEST_LIMIT_MS);

  it("a worker killed mid-product: an error once no chunk finished for the silence limit, then one thread", async () => {
    const { out, stderr } = await runScript("kill");
    expect(out.message).toBe("gemm: no kernel worker finished its part of this product for 2.0 s (a worker thread was killed or hangs)");
    expect(out.failedAfterMs).toBeGreaterThanOrEqual(2000);
    expect(out.failedAfterMs).toBeLessThan(30_000);
    expectOneThreadFromNowOn(out, stderr);
  }, TEST_LIMIT_MS);
});
