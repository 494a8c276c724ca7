// The relaxed-SIMD build of the kernels (fused multiply-add in the GEMM micro-kernel): loaded where the
// runtime validates f32x4.relaxed_madd (Node 20 needs --experimental-wasm-relaxed-simd, so a child
// process runs it), agreeing with the JS kernel like the portable build; elsewhere the portable build.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { backendInfo, getBackend, setBackend } from "../src/kernels/index.ts";
import { hasRelaxedSimd } from "../src/kernels/wasm/features.ts";

const src = (path: string) => new URL(`../src/kernels/${path}`, import.meta.url).href;
/** Products of odd sizes in every layout, strided and accumulating, on 1 and 2 threads: how many elements differ from the JS kernel by more than float32 rounding. */
const script = `
import { backendInfo, gemm, setBackend, setNumThreads } from ${JSON.stringify(src("index.ts"))};
import { gemmJs } from ${JSON.stringify(src("gemm-js.ts"))};
import { gemmTuning } from ${JSON.stringify(src("gemm-wasm.ts"))};
setBackend("wasm");
gemmTuning.parallelMinMacs = 0;
let seed = 1, checked = 0, wrong = 0;
const random = (n) => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
for (const threads of [1, 2]) {
  setNumThreads(threads);
  for (const [m, n, k] of [[1, 1, 1], [17, 33, 65], [301, 5, 17], [3, 257, 19], [33, 47, 600], [128, 10, 64], [10, 256, 40], [129, 250, 100]]) {
    for (const transA of [false, true]) for (const transB of [false, true]) for (const accumulate of [false, true]) {
      const lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 3, ldc = n + 3;
      const a = random(5 + (transA ? k : m) * lda), b = random(5 + (transB ? n : k) * ldb), c = random(5 + m * ldc);
      const args = { m, n, k, a, aOffset: 5, lda, transA, b, bOffset: 5, ldb, transB, c, cOffset: 5, ldc, accumulate };
      const expected = { ...args, c: c.slice() }, bound = { ...args, a: a.map(Math.abs), b: b.map(Math.abs), c: c.map(Math.abs) };
      gemmJs(expected);
      gemmJs(bound);
      gemm(args);
      for (let i = 0; i < c.length; i++, checked++) if (!(Math.abs(c[i] - expected.c[i]) <= 1e-5 * bound.c[i] + 1e-7)) wrong++;
    }
  }
}
console.log(JSON.stringify({ relaxedSimd: backendInfo().relaxedSimd, checked, wrong }));
`;

async function runScript(nodeFlags: string[]): Promise<{ relaxedSimd: boolean; checked: number; wrong: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, "--import", "tsx", "--input-type=module", "-e", script], {
    cwd: new URL("..", import.meta.url).pathname, timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

describe("the relaxed-SIMD kernels", () => {
  it("are built beside the portable ones, and only they use f32x4.relaxed_madd", () => {
    const wat = (name: string) => readFileSync(new URL(`../build/wasm/${name}.wat`, import.meta.url), "utf8");
    expect(wat("kernels-relaxed")).toContain("f32x4.relaxed_madd");
    expect(wat("kernels")).not.toContain("relaxed");
  });

  it("run where the runtime validates relaxed SIMD, and agree with the JS kernel", async () => {
    const out = await runScript(["--experimental-wasm-relaxed-simd"]);
    expect(out).toEqual({ relaxedSimd: true, checked: out.checked, wrong: 0 });
    expect(out.checked).toBeGreaterThan(100_000);
  }, 180_000);

  it("are not loaded where the runtime lacks relaxed SIMD: backendInfo() follows the feature test", () => {
    const initial = getBackend();
    setBackend("wasm");
    try {
      expect(backendInfo().relaxedSimd).toBe(hasRelaxedSimd());
    } finally {
      setBackend(initial);
    }
  });
});
