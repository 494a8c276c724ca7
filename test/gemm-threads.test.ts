// The thread pool as a script sees it: NDGRAD_NUM_THREADS, and workers that never keep the process alive.

import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const kernels = new URL("../src/kernels/index.ts", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "ndgrad-gemm-"));
const script = join(dir, "threaded-gemm.ts");
writeFileSync(script, `
import { gemm, getBackend, getNumThreads } from ${JSON.stringify(kernels)};
const m = 256, n = 512, k = 512;
const a = new Float32Array(m * k).fill(1), b = new Float32Array(k * n).fill(0.5), c = new Float32Array(m * n);
for (let i = 0; i < 5; i++) gemm({ m, n, k, a, aOffset: 0, lda: k, transA: false, b, bOffset: 0, ldb: n, transB: false, c, cOffset: 0, ldc: n, accumulate: false });
console.log(JSON.stringify({ backend: getBackend(), threads: getNumThreads(), c: c[m * n - 1] }));
`);

/** Runs the script under tsx, as examples run; resolves with its output, or rejects after 30 s. */
async function runScript(env: Record<string, string>): Promise<{ stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
    cwd: new URL("..", import.meta.url).pathname, env: { ...process.env, ...env }, timeout: 30_000,
  });
  return { stdout, stderr, ms: performance.now() - t0 };
}

describe("threads in a script", () => {
  it("a script using 2 threads finishes and exits on its own", async () => {
    const { stdout } = await runScript({ NDGRAD_NUM_THREADS: "2", NDGRAD_BACKEND: "wasm" });
    expect(JSON.parse(stdout)).toEqual({ backend: "wasm", threads: 2, c: 256 });
  });

  it("NDGRAD_NUM_THREADS chooses the count; a bad value warns and uses every core", async () => {
    expect(JSON.parse((await runScript({ NDGRAD_NUM_THREADS: "3" })).stdout).threads).toBe(3);
    const { stdout, stderr } = await runScript({ NDGRAD_NUM_THREADS: "zero" });
    expect(stderr).toContain('ignoring NDGRAD_NUM_THREADS="zero" (valid: an integer from 1 to 64)');
    expect(JSON.parse(stdout).threads).toBeGreaterThanOrEqual(1);
  });

  it('NDGRAD_BACKEND=js forces the JS kernels', async () => {
    expect(JSON.parse((await runScript({ NDGRAD_BACKEND: "js" })).stdout)).toMatchObject({ backend: "js", c: 256 });
  });
});
