// The layers hold: every import in src/ and datasets/ (import type, re-exports and dynamic import() included) points down the arrows, with no cycle.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The arrows, written once: which layers a layer may import besides itself.
 * kernels ← tensor ← nn, optim, data, utils ← io, report, datasets; the entry points re-export them.
 */
const ALLOWED: Record<string, readonly string[]> = {
  kernels: [],
  tensor: ["kernels"],
  nn: ["tensor", "kernels"],
  optim: ["tensor", "kernels"],
  data: ["tensor", "kernels"],
  utils: ["tensor", "kernels"],
  io: ["nn", "optim", "data", "utils", "tensor", "kernels"],
  report: ["nn", "optim", "data", "utils", "tensor", "kernels"],
  datasets: ["nn", "optim", "data", "utils", "tensor", "kernels"],
  entry: ["io", "report", "nn", "optim", "data", "utils", "tensor", "kernels"],
};

/** The layer a file belongs to (a path relative to the repository), or null outside src/ and datasets/. */
function layerOf(file: string): string | null {
  const parts = file.split(/[\\/]/);
  if (parts[0] === "datasets") return "datasets";
  if (parts[0] !== "src") return null;
  return parts.length === 2 ? "entry" : parts[1];
}

type Edge = { from: string; to: string };

/** Every relative import of one file (static, type-only, re-exports, dynamic import() with a literal), as repository paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith(".")).map((name) => relative(root, resolve(root, dirname(file), name)).split(sep).join("/"));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join("/"));
}

/** Edges against the arrows, each written as "from -> to (layer a may import only ...)". */
function violations(edges: readonly Edge[]): string[] {
  const bad: string[] = [];
  for (const { from, to } of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === null) continue;
    const ok = b !== null && (a === b || ALLOWED[a]?.includes(b));
    if (!ok) bad.push(`${from} -> ${to} (${a} may import only ${[a, ...(ALLOWED[a] ?? [])].join(", ")})`);
  }
  return bad;
}

/** One import cycle as a path "a -> b -> a", or null (iterative depth-first search, three colours). */
function findCycle(edges: readonly Edge[]): string[] | null {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, "open" | "done">();
  for (const start of next.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const cursor: number[] = [0];
    state.set(start, "open");
    while (path.length > 0) {
      const node = path[path.length - 1];
      const children = next.get(node) ?? [];
      const i = cursor[cursor.length - 1]++;
      if (i >= children.length) {
        state.set(node, "done");
        path.pop();
        cursor.pop();
        continue;
      }
      const child = children[i];
      if (state.get(child) === "open") return [...path.slice(path.indexOf(child)), child];
      if (!state.has(child)) {
        state.set(child, "open");
        path.push(child);
        cursor.push(0);
      }
    }
  }
  return null;
}

const files = [...sourceFiles("src"), ...sourceFiles("datasets")];
const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

describe("layers", () => {
  it("reads the imports of every file", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(edges).toContainEqual({ from: "src/kernels/wasm/pool.ts", to: "src/kernels/wasm/platform-node.ts" });
  });

  it("sees import type, re-exports and dynamic import()", () => {
    const src = `import type { A } from "./a.ts";\nexport { B } from "./b.ts";\nconst c = await import("./c.ts");`;
    expect(ts.preProcessFile(src, true, true).importedFiles.map((f) => f.fileName)).toEqual(["./a.ts", "./b.ts", "./c.ts"]);
  });

  it("rejects an edge against the arrows and a cycle (the checks can fail)", () => {
    expect(violations([{ from: "src/kernels/gemm-js.ts", to: "src/tensor/dtype.ts" }])).toEqual(["src/kernels/gemm-js.ts -> src/tensor/dtype.ts (kernels may import only kernels)"]);
    expect(violations([{ from: "src/optim/adam.ts", to: "src/nn/module.ts" }])).toHaveLength(1);
    expect(violations([{ from: "src/io/checkpoint.ts", to: "examples/mnist.ts" }])).toHaveLength(1);
    expect(violations([{ from: "src/nn/linear.ts", to: "src/tensor/index.ts" }])).toEqual([]);
    expect(findCycle([{ from: "a", to: "b" }, { from: "b", to: "c" }, { from: "c", to: "b" }])).toEqual(["b", "c", "b"]);
    expect(findCycle([{ from: "a", to: "b" }, { from: "a", to: "c" }, { from: "b", to: "c" }])).toBeNull();
  });

  it("every import points down the arrows", () => {
    expect(violations(edges)).toEqual([]);
  });

  it("no import cycle", () => {
    // Every cycle is listed: after one is found, its closing edge is dropped and the search runs again.
    const cycles: string[] = [];
    let remaining = edges;
    for (let cycle = findCycle(remaining); cycle !== null && cycles.length < 20; cycle = findCycle(remaining)) {
      cycles.push(cycle.join(" -> "));
      const [from, to] = cycle.slice(-2);
      remaining = remaining.filter((e) => !(e.from === from && e.to === to));
    }
    expect(cycles).toEqual([]);
  });
});
