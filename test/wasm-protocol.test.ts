// The wasm protocol is written down once (src/kernels/wasm/protocol.mjs): the kernels' copy of the job
// layout and tile equals it, the compiled kernels export what its KernelExports type says, the host
// and the worker loop import it instead of re-declaring it, and src/kernels/wasm/ has no import cycle.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadKernelBytes } from "../src/kernels/wasm/platform-node.ts";
import * as protocol from "../src/kernels/wasm/protocol.mjs";

const root = new URL("..", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const wasmDir = "src/kernels/wasm/";

/** `export const NAME: i32 = VALUE;` declarations of an AssemblyScript file. */
function asConstants(source: string): Map<string, number> {
  return new Map([...source.matchAll(/^export const (\w+): i32 = (-?\d+);/gm)].map((m) => [m[1], Number(m[2])]));
}

/** Relative imports (`import type` and `export ... from` included) of a source file, as paths from the repository root. */
function relativeImports(path: string): string[] {
  const dir = path.slice(0, path.lastIndexOf("/") + 1);
  return [...read(path).matchAll(/^(?:import|export)[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) => new URL(m[1], new URL(dir, "file:///")).pathname.slice(1));
}

describe("the wasm protocol", () => {
  it("the kernels' constants (assembly/protocol.ts) equal protocol.mjs, name for name", () => {
    const kernels = asConstants(read("assembly/protocol.ts"));
    const expected = new Map<string, number>([
      ...Object.entries(protocol.JOB),
      ["OP_GEMM", protocol.OP_GEMM], ["PHASE_PACK", protocol.PHASE_PACK], ["PHASE_COMPUTE", protocol.PHASE_COMPUTE],
      ["TILE_ROWS", protocol.TILE_ROWS], ["TILE_COLS", protocol.TILE_COLS], ["TILE_BYTES", protocol.TILE_BYTES],
    ]);
    expect(Object.fromEntries(kernels)).toEqual(Object.fromEntries(expected));
  });

  it("assembly/kernels.ts takes the job layout from assembly/protocol.ts instead of declaring it", () => {
    const source = read("assembly/kernels.ts");
    expect(source).toMatch(/from "\.\/protocol"/);
    const own = [...source.matchAll(/^const (\w+)\b/gm)].map((m) => m[1]);
    expect(own.filter((name) => asConstants(read("assembly/protocol.ts")).has(name))).toEqual([]);
  });

  it("the job words fit the descriptor, are distinct, and leave NEXT an aligned i64", () => {
    const words = Object.values(protocol.JOB);
    expect(new Set(words).size).toBe(words.length);
    expect(Math.max(...words, protocol.JOB.NEXT + 1)).toBeLessThan(protocol.JOB_WORDS);
    expect(words).not.toContain(protocol.JOB.NEXT + 1);
    expect(protocol.JOB.NEXT % 2).toBe(0);
    expect(protocol.MAX_THREADS).toBeLessThan(2 ** protocol.GEN_THREAD_BITS);
    expect(protocol.CTRL_WORDS).toBe(protocol.CTRL.STATE + protocol.MAX_THREADS);
    expect(protocol.TILE_BYTES).toBe(protocol.TILE_ROWS * protocol.TILE_COLS * 4);
  });

  it("the compiled kernels export every function KernelExports declares, with as many parameters", () => {
    const declared = new Map([...read(`${wasmDir}protocol.mjs`).matchAll(/@property \{\(([^)]*)\) => [^}]+\} (\w+)/g)].map((m) => [m[2], m[1].trim() === "" ? 0 : m[1].split(",").length]));
    expect(declared.size).toBeGreaterThan(5);
    const module = new WebAssembly.Module(loadKernelBytes());
    const memory = new WebAssembly.Memory({ initial: protocol.INITIAL_PAGES, maximum: protocol.MAXIMUM_PAGES, shared: true });
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, unknown>;
    const actual = new Map(Object.entries(exports).filter(([, f]) => typeof f === "function").map(([name, f]) => [name, (f as (...a: unknown[]) => unknown).length]));
    expect(Object.fromEntries([...declared.keys()].map((name) => [name, actual.get(name)]))).toEqual(Object.fromEntries(declared));
  });

  it("the host, the worker loop and the build import protocol.mjs and re-declare none of its names", () => {
    const names = new Set([...Object.keys(protocol), ...Object.keys(protocol.JOB).map((k) => `JOB_${k}`), ...Object.keys(protocol.CTRL).map((k) => `CTRL_${k}`)]);
    for (const path of [`${wasmDir}pool.ts`, `${wasmDir}runtime.ts`, `${wasmDir}worker-loop.mjs`, "src/kernels/gemm-wasm.ts", "src/kernels/backend.ts", "scripts/build-wasm.mjs"]) {
      const source = read(path);
      expect(relativeImports(path), path).toContain(`${wasmDir}protocol.mjs`);
      const declared = [...source.matchAll(/\b(?:const|let|var)\s+(\w+)\s*=/g)].map((m) => m[1]);
      expect(declared.filter((name) => names.has(name)), path).toEqual([]);
    }
  });

  it("protocol.mjs imports nothing, and src/kernels/wasm/ has no import cycle (import type included)", () => {
    expect(relativeImports(`${wasmDir}protocol.mjs`)).toEqual([]);
    expect(read(`${wasmDir}protocol.mjs`)).not.toMatch(/^\s*import\s/m);
    const files = readdirSync(new URL(wasmDir, root)).filter((f) => /\.(ts|mjs)$/.test(f)).map((f) => wasmDir + f);
    const edges = new Map(files.map((f) => [f, relativeImports(f).filter((to) => to.startsWith(wasmDir))]));
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const to of edges.get(file) ?? []) visit(to, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(edges.get(`${wasmDir}pool.ts`)).toContain(`${wasmDir}protocol.mjs`);
    expect(cycles).toEqual([]);
  });

  it("runtime.ts opens with a map of the memory", () => {
    const head = read(`${wasmDir}runtime.ts`).split("\nimport ")[0];
    for (const region of ["heapBase", "ctrl", "job", "tiles", "resident", "dataOffset", "ring"]) expect(head).toContain(region);
  });
});
