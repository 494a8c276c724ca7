// The core bundles for a browser: esbuild, with package.json's "browser" field (which swaps
// kernels/wasm/platform-node.ts for platform-browser.ts), bundles src/browser.ts with no Node module
// left in it, and the bundle works: on the JS backend before the kernels are loaded, on wasm after.
// (test/package.test.ts bundles the packed package the same way, as a user's bundler would.)
// No real browser runs here: the bundle is imported by Node from a data: URL.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker as NodeWorker } from "node:worker_threads";
import { build, type Metafile } from "esbuild";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as browserEntry from "../src/browser.ts";
import * as nodeEntry from "../src/index.ts";
import { CTRL, CTRL_WORDS } from "../src/kernels/wasm/protocol.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
let bundle = "";
let inputs: Metafile["inputs"] = {};

beforeAll(async () => {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["src/browser.ts"],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    metafile: true,
    logLevel: "silent",
  });
  expect(result.errors).toEqual([]);
  bundle = result.outputFiles[0].text;
  inputs = result.metafile.inputs;
}, 60_000);

/** A fresh instance of the bundled module (each import gets its own backend state). */
let instances = 0;
async function importBundle(): Promise<typeof browserEntry> {
  const source = `${bundle}\n// instance ${++instances}\n`;
  return import(/* @vite-ignore */ `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
}

afterEach(() => vi.restoreAllMocks());

describe("browser bundle", () => {
  it("leaves no Node module in the bundle", () => {
    expect(bundle.length).toBeGreaterThan(10_000);
    expect(bundle).not.toMatch(/["']node:/);
    expect(bundle).not.toContain("node:fs");
    expect(bundle).not.toContain("worker_threads");
    expect(bundle).not.toMatch(/\brequire\(/);
    const files = Object.keys(inputs);
    expect(files).toContain("src/kernels/wasm/platform-browser.ts");
    expect(files).not.toContain("src/kernels/wasm/platform-node.ts");
    expect(files.filter((f) => f.startsWith("src/io/") || f.startsWith("src/report/"))).toEqual([]);
  });

  it("exports the same surface as index.ts in Node, without io", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const bundled = await importBundle();
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(nodeEntry).sort());
    expect(Object.keys(bundled)).toContain("loadWasmKernels");
    expect(Object.keys(bundled)).not.toContain("saveCheckpoint");
  });

  it("runs on the JS backend, with one warning, until the kernels are loaded", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const nd = await importBundle();
    const y = nd.tensor([[1, 2]], { requiresGrad: true }).matmul(nd.tensor([[3], [4]]));
    expect(y.toArray()).toEqual([[11]]);
    expect(nd.getBackend()).toBe("js");
    expect(nd.getNumThreads()).toBe(1); // not cross-origin isolated: no workers
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/loadWasmKernels/);
    const model = new nd.nn.Sequential(new nd.nn.Linear(4, 8), new nd.nn.ReLU(), new nd.nn.Linear(8, 3));
    const opt = new nd.optim.Adam(model.parameters(), { lr: 0.01 });
    const x = nd.randn([16, 4]);
    const labels = Array.from({ length: 16 }, (_, i) => i % 3);
    const first = nd.nn.functional.crossEntropy(model.forward(x), labels).item();
    for (let step = 0; step < 50; step++) {
      opt.zeroGrad();
      const loss = nd.nn.functional.crossEntropy(model.forward(x), labels);
      loss.backward();
      opt.step();
    }
    expect(nd.nn.functional.crossEntropy(model.forward(x), labels).item()).toBeLessThan(first);
  });

  it("runs on the wasm kernels once loadWasmKernels has them", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const nd = await importBundle();
    await expect(nd.loadWasmKernels(new Uint8Array([0, 1, 2, 3]))).rejects.toThrow(/not a valid WebAssembly module/);
    await nd.loadWasmKernels(readFileSync(new URL("../src/kernels/wasm/kernels.wasm", import.meta.url)));
    expect(nd.getBackend()).toBe("wasm");
    const a = nd.rand([37, 53]);
    const b = nd.rand([53, 29]);
    const product = a.matmul(b);
    nd.setBackend("js");
    const reference = a.matmul(b);
    const p = product.toArray() as number[][];
    const r = reference.toArray() as number[][];
    for (let i = 0; i < r.length; i++) for (let j = 0; j < r[i].length; j++) expect(p[i][j]).toBeCloseTo(r[i][j], 4);
    // Asking for threads where there are no Web Workers (as here, in Node) keeps products on the caller.
    nd.setBackend("wasm");
    nd.setNumThreads(4);
    const big = nd.rand([256, 256]);
    const square = big.matmul(big).toArray() as number[][];
    nd.setBackend("js");
    const expected = big.matmul(big).toArray() as number[][];
    expect(square[17][200]).toBeCloseTo(expected[17][200], 3);
    expect(warn).not.toHaveBeenCalled();
  });

  it("backendInfo() reports workers that could not start, and the one thread products then run on", async () => {
    const nd = await importBundle();
    await nd.loadWasmKernels(readFileSync(new URL("../src/kernels/wasm/kernels.wasm", import.meta.url)));
    nd.setNumThreads(4);
    const big = nd.rand([256, 256]);
    big.matmul(big);
    // Node has no Web Worker: spawning one throws, as under a content security policy that forbids workers.
    expect(nd.backendInfo()).toEqual({
      backend: "wasm", blasLibrary: null, simd: true, relaxedSimd: false, threads: 1, requestedThreads: 4, workersStarted: 0,
      workerFailure: "kernel workers could not start: Worker is not defined", crossOriginIsolated: false, unavailable: null,
      residentBytes: expect.any(Number), residentLimitBytes: 256 * 2 ** 20, residentFallbacks: 0,
    });
  });

  it("without cross-origin isolation (no SharedArrayBuffer), the one warning names the headers to serve", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.stubGlobal("SharedArrayBuffer", undefined);
    try {
      const nd = await importBundle();
      expect(nd.tensor([[1, 2]]).matmul(nd.tensor([[3], [4]])).toArray()).toEqual([[11]]);
      nd.rand([3, 3]).matmul(nd.rand([3, 3]));
      const info = nd.backendInfo();
      expect(info).toMatchObject({ backend: "js", simd: false, threads: 1, crossOriginIsolated: false });
      const advice = "the page is not cross-origin isolated, so it has no SharedArrayBuffer; to fix it: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp";
      expect(info.unavailable).toBe(advice);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toBe(`ndgrad: the WebAssembly kernels are unavailable: ${advice}. Using the JS backend (slower) until then.`);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("moves to the wasm kernels once they are loaded, also for a model built before", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const nd = await importBundle();
    const layer = new nd.nn.Linear(5, 3);
    const x = nd.randn([4, 5]);
    const before = layer.forward(x).toArray() as number[][];
    expect(nd.getBackend()).toBe("js");
    expect(warn).toHaveBeenCalledTimes(1);
    await nd.loadWasmKernels(readFileSync(new URL("../src/kernels/wasm/kernels.wasm", import.meta.url)));
    expect(nd.getBackend()).toBe("wasm");
    const after = layer.forward(x).toArray() as number[][];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) expect(after[i][j]).toBeCloseTo(before[i][j], 5);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("shares products with Web Workers once they have started, without blocking the caller", async () => {
    // A stand-in for the browser's Worker: runs worker-browser.mjs, unchanged, in a Node worker thread
    // whose `self` receives the init message, as a module Web Worker would.
    const started: { url: string; init: { memory: WebAssembly.Memory; ctrl: number; tid: number } }[] = [];
    const threads: NodeWorker[] = [];
    const browserWorker = pathToFileURL(join(root, "src/kernels/wasm/worker-browser.mjs")).href;
    class FakeWorker {
      private thread: NodeWorker | null = null;
      constructor(readonly url: URL, readonly options: { type?: string }) {
        expect(options.type).toBe("module");
      }
      addEventListener(): void {}
      postMessage(init: (typeof started)[number]["init"]): void {
        started.push({ url: String(this.url), init });
        const shim = `const { parentPort, workerData } = require("node:worker_threads");
          globalThis.self = { addEventListener: (type, listener) => parentPort.once("message", (data) => listener({ data })) };
          import(workerData);`;
        this.thread = new NodeWorker(shim, { eval: true, workerData: browserWorker });
        this.thread.unref();
        this.thread.postMessage(init);
        threads.push(this.thread);
      }
      terminate(): void {
        void this.thread?.terminate();
      }
    }
    vi.stubGlobal("Worker", FakeWorker);
    vi.stubGlobal("crossOriginIsolated", true);
    try {
      const nd = await importBundleFile();
      await nd.loadWasmKernels(readFileSync(new URL("../src/kernels/wasm/kernels.wasm", import.meta.url)));
      expect(nd.getBackend()).toBe("wasm");
      nd.setNumThreads(4);
      const a = nd.rand([192, 160]);
      const b = nd.rand([160, 144]);
      nd.setBackend("js");
      const expected = a.matmul(b).toArray() as number[][];
      nd.setBackend("wasm");
      const check = (what: string) => {
        const got = a.matmul(b).toArray() as number[][];
        for (let i = 0; i < expected.length; i += 7) for (let j = 0; j < expected[i].length; j += 5) {
          if (Math.abs(got[i][j] - expected[i][j]) > 1e-3) expect.fail(`${what}: [${i}][${j}] = ${got[i][j]}, expected ${expected[i][j]}`);
        }
      };
      // The first product starts the workers but does not wait for them (a browser would start them only
      // after this task): it runs on the caller alone, at once.
      const t0 = performance.now();
      check("before the workers listen");
      expect(performance.now() - t0).toBeLessThan(2_000);
      expect(started.map((s) => s.init.tid)).toEqual([1, 2, 3]);
      expect(started[0].url).toMatch(/worker-browser\.mjs$/);
      const ctrl = new Int32Array(started[0].init.memory.buffer, started[0].init.ctrl, CTRL_WORDS);
      for (let waited = 0; Atomics.load(ctrl, CTRL.READY) < 3 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(Atomics.load(ctrl, CTRL.READY)).toBe(3); // all three listen
      for (let i = 0; i < 20; i++) check(`product ${i} with workers`);
      expect(Atomics.load(ctrl, CTRL.HELPED)).toBeGreaterThan(0); // the workers did chunks
      expect(nd.backendInfo()).toMatchObject({ backend: "wasm", threads: 4, requestedThreads: 4, workersStarted: 3, workerFailure: null, crossOriginIsolated: true });
    } finally {
      vi.unstubAllGlobals();
      await Promise.all(threads.map((t) => t.terminate()));
    }
  });
});

/** The bundle as a file, so that import.meta.url is a real base URL (as on a web server). */
let bundleDir: string | null = null;
async function importBundleFile(): Promise<typeof browserEntry> {
  bundleDir ??= mkdtempSync(join(tmpdir(), "ndgrad-bundle-"));
  const file = join(bundleDir, `ndgrad-${++instances}.mjs`);
  writeFileSync(file, bundle);
  return import(/* @vite-ignore */ pathToFileURL(file).href);
}
afterAll(() => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});
