// Wasm memory that no public path can see freed or reused: a subarray of a parameter outlives its
// model (checked after a real GC, in a child process), dispose() gives memory back at once (so a
// synchronous loop of 2,000 models stays bounded and on the fast path), and running out of it is
// visible in backendInfo() and in one warning.

import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backendInfo, getBackend, manualSeed, nn, optim, randn, setBackend, tensor } from "../src/index.ts";
import { JOB } from "../src/kernels/wasm/protocol.mjs";
import { wasmRuntime } from "../src/kernels/wasm/runtime.ts";

const src = (path: string) => JSON.stringify(new URL(`../src/${path}`, import.meta.url).href);
const initial = getBackend();
beforeEach(() => setBackend("wasm"));
afterEach(() => {
  setBackend(initial);
  vi.restoreAllMocks();
});

describe("a view of a parameter after its model is collected", () => {
  it("keeps its values: the block is not reused while any view of it lives, and is reused once none does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ndgrad-uaf-"));
    const script = join(dir, "use-after-free.mts");
    writeFileSync(script, `
      import { nn, tensor } from ${src("index.ts")};
      import { wasmRuntime } from ${src("kernels/wasm/runtime.ts")};
      const rt = wasmRuntime()!;
      const collect = async () => { for (let i = 0; i < 5; i++) { (globalThis as { gc(): void }).gc(); await new Promise((r) => setTimeout(r, 20)); } };
      let model: nn.Linear | null = new nn.Linear(784, 256);
      let row: ReturnType<typeof tensor> | null = tensor(model.weight.values().subarray(0, 4));
      const before = Array.from(row.values());
      const rowAt = rt.addressOf(row.values());
      const weightAt = rt.addressOf(model.weight.values());
      model = null;
      await collect();
      const next = new nn.Linear(784, 256);
      next.weight.values().fill(42);
      const after = Array.from(row.values());
      row = null;
      await collect();
      const third = new nn.Linear(784, 256);
      console.log(JSON.stringify({ before, after, rowAt, weightAt, nextAt: rt.addressOf(next.weight.values()), thirdAt: rt.addressOf(third.weight.values()) }));
    `);
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", script], {
      cwd: new URL("..", import.meta.url).pathname, env: { ...process.env, NDGRAD_BACKEND: "wasm" }, timeout: 60_000,
    });
    const out = JSON.parse(stdout) as { before: number[]; after: number[]; rowAt: number; weightAt: number; nextAt: number; thirdAt: number };
    expect(out.rowAt).toBe(out.weightAt);
    expect(out.after).toEqual(out.before);
    expect(out.after).not.toContain(42);
    expect(out.nextAt).not.toBe(out.weightAt);
    expect(out.thirdAt).toBe(out.weightAt);
  });
});

describe("dispose()", () => {
  it("2,000 models built and disposed in a synchronous loop: memory stays bounded and every model is on the fast path", () => {
    const rt = wasmRuntime()!;
    const residentBefore = backendInfo().residentBytes, memoryBefore = rt.memory.buffer.byteLength;
    const warn = vi.spyOn(console, "warn");
    let inWasm = 0;
    for (let i = 0; i < 2000; i++) {
      using layer = new nn.Linear(784, 256);
      if (rt.addressOf(layer.weight.values() as Float32Array) >= 0 && rt.addressOf(layer.bias!.values() as Float32Array) >= 0) inWasm++;
    }
    expect(inWasm).toBe(2000);
    const info = backendInfo();
    expect(info.residentFallbacks).toBe(0);
    expect(info.residentBytes).toBe(residentBefore);
    expect(rt.memory.buffer.byteLength - memoryBefore).toBeLessThanOrEqual(2 * 2 ** 20);
    expect(warn).not.toHaveBeenCalled();
    const layer = new nn.Linear(784, 256);
    layer.forward(randn([8, 784]));
    expect([rt.job[JOB.A], rt.job[JOB.B]]).toContain(rt.addressOf(layer.weight.values() as Float32Array));
    layer.dispose();
  }, 240_000);

  it("releases every parameter of a module tree, which keeps working, with the same values, on ordinary arrays", () => {
    const rt = wasmRuntime()!;
    const residentBefore = backendInfo().residentBytes;
    manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(20, 16), new nn.ReLU(), new nn.Sequential(new nn.Linear(16, 4)));
    expect(backendInfo().residentBytes).toBeGreaterThan(residentBefore);
    const x = randn([5, 20]);
    const before = model.forward(x).toArray();
    const values = model.parameters().map((p) => Array.from(p.values()));
    model.dispose();
    expect(backendInfo().residentBytes).toBe(residentBefore);
    expect(model.parameters().map((p) => rt.addressOf(p.values() as Float32Array))).toEqual([-1, -1, -1, -1]);
    expect(model.parameters().map((p) => Array.from(p.values()))).toEqual(values);
    expect(model.forward(x).toArray()).toEqual(before);
    model.dispose();
    expect(backendInfo().residentBytes).toBe(residentBefore);
  });

  it("releases an optimizer's state buffers; its later steps are those of an optimizer never disposed", () => {
    const residentBefore = backendInfo().residentBytes;
    const run = (dispose: boolean) => {
      manualSeed(5);
      const layer = new nn.Linear(12, 6);
      using opt = new optim.Adam(layer.parameters(), { lr: 0.01, amsgrad: true });
      const x = randn([4, 12]);
      for (let step = 0; step < 4; step++) {
        opt.zeroGrad();
        layer.forward(x).pow(2).mean().backward();
        opt.step();
        if (dispose && step === 1) {
          const held = backendInfo().residentBytes;
          opt.dispose();
          expect(backendInfo().residentBytes).toBeLessThan(held);
        }
      }
      const out = layer.parameters().map((p) => Array.from(p.values()));
      layer.dispose();
      return out;
    };
    expect(run(true)).toEqual(run(false));
    expect(backendInfo().residentBytes).toBe(residentBefore);
  });
});

describe("when the wasm memory for parameters is full", () => {
  it("new parameters get ordinary arrays, counted in backendInfo(), with one warning saying why and what to do", () => {
    const rt = wasmRuntime()!;
    const limit = rt.residentLimitBytes;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const fallbacksBefore = backendInfo().residentFallbacks;
    rt.residentLimitBytes = rt.residentBytes + 2 * 2 ** 20;
    const layers: nn.Linear[] = [];
    try {
      for (let i = 0; i < 4; i++) layers.push(new nn.Linear(784, 256));
      expect(layers.map((l) => rt.addressOf(l.weight.values() as Float32Array) >= 0)).toEqual([true, true, false, false]);
      expect(backendInfo().residentFallbacks - fallbacksBefore).toBe(2);
      expect(backendInfo().residentLimitBytes).toBe(rt.residentLimitBytes);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^ndgrad: the wasm memory for parameters and optimizer state is full \(\d+(\.\d+)? MiB\): new ones get ordinary arrays, and training them is slower\. Call dispose\(\) on models and optimizers/);
      for (const layer of layers) layer.dispose();
      const again = new nn.Linear(784, 256);
      expect(rt.addressOf(again.weight.values() as Float32Array)).toBeGreaterThanOrEqual(0);
      again.dispose();
    } finally {
      rt.residentLimitBytes = limit;
    }
  });
});

describe("backendInfo()", () => {
  it("tells the truth on each backend", () => {
    const wasm = backendInfo();
    expect(wasm).toMatchObject({ backend: "wasm", simd: true, crossOriginIsolated: true, unavailable: null, workerFailure: null });
    expect(wasm.threads).toBeGreaterThanOrEqual(1);
    expect(wasm.threads).toBeLessThanOrEqual(Math.min(wasm.requestedThreads, 1 + wasm.workersStarted));
    expect(wasm.residentLimitBytes).toBe(256 * 2 ** 20);
    setBackend("js");
    expect(backendInfo()).toMatchObject({ backend: "js", simd: false, threads: 1, unavailable: null, residentBytes: 0 });
  });

  it("a tensor made from a parameter's subarray holds its block like the parameter does", () => {
    const layer = new nn.Linear(8, 4);
    const row = tensor(layer.weight.values().subarray(0, 8));
    expect(wasmRuntime()!.addressOf(row.values() as Float32Array)).toBe(wasmRuntime()!.addressOf(layer.weight.values() as Float32Array));
    expect(row.values().slice(0, 2)).toBeInstanceOf(Float32Array);
    expect(wasmRuntime()!.addressOf(row.values().slice(0, 2) as Float32Array)).toBe(-1);
    layer.dispose();
  });
});
