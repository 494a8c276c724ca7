// Every file of src/tensor/ imports alone (no method table installed), and each op file's op runs forward and backward (with autograd.ts): ops call functions, not methods.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";

type Module = Record<string, (...args: never[]) => unknown>;
type TensorLike = { toArray(): unknown; grad: TensorLike | null };

const dir = join(dirname(fileURLToPath(import.meta.url)), "../src/tensor");
/** An op file makes tensors with fromOp; each needs a sample below. */
const opFiles = readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "tensor.ts" && readFileSync(join(dir, f), "utf8").includes("fromOp("));

/**
 * One sample per op file: gets the op module and tensor() from the same fresh module context,
 * returns the leaves, an output of the op, the gradient to feed backward, and the expected forward
 * values and leaf gradients (worked out by hand).
 */
type Sample = (ops: Module, tensor: (v: unknown, o?: object) => TensorLike) => { leaves: TensorLike[]; out: TensorLike; grad: TensorLike; forward: unknown; inputGrads: unknown[] };
const samples: Record<string, Sample> = {
  "elementwise.ts": (ops, t) => {
    const a = t([[1, 2], [3, 4]], { requiresGrad: true });
    const b = t([10, 20], { requiresGrad: true });
    return { leaves: [a, b], out: ops.mul(a as never, b as never) as TensorLike, grad: t([[1, 1], [1, 1]]), forward: [[10, 40], [30, 80]], inputGrads: [[[10, 20], [10, 20]], [4, 6]] };
  },
  "activation.ts": (ops, t) => {
    const x = t([-1, 2], { requiresGrad: true });
    return { leaves: [x], out: ops.relu(x as never) as TensorLike, grad: t([5, 7]), forward: [0, 2], inputGrads: [[0, 7]] };
  },
  "reduce.ts": (ops, t) => {
    const x = t([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    return { leaves: [x], out: ops.mean(x as never, 1 as never) as TensorLike, grad: t([3, 6]), forward: [2, 5], inputGrads: [[[1, 1, 1], [2, 2, 2]]] };
  },
  "matmul.ts": (ops, t) => {
    const a = t([1, 2], { requiresGrad: true });
    const b = t([[1, 0, 2], [0, 1, 3]], { requiresGrad: true });
    return { leaves: [a, b], out: ops.matmul(a as never, b as never) as TensorLike, grad: t([1, 1, 1]), forward: [1, 2, 8], inputGrads: [[3, 4], [[1, 1, 1], [2, 2, 2]]] };
  },
  "conv.ts": (ops, t) => {
    const x = t([[[[1, 2], [3, 4]]]], { requiresGrad: true });
    const w = t([[[[2]]]], { requiresGrad: true });
    return { leaves: [x, w], out: ops.conv2d(x as never, w as never) as TensorLike, grad: t([[[[1, 1], [1, 1]]]]), forward: [[[[2, 4], [6, 8]]]], inputGrads: [[[[[2, 2], [2, 2]]]], [[[[10]]]]] };
  },
  "pool.ts": (ops, t) => {
    const x = t([[[[1, 4], [3, 2]]]], { requiresGrad: true });
    return { leaves: [x], out: ops.maxPool2d(x as never, 2 as never) as TensorLike, grad: t([[[[5]]]]), forward: [[[[4]]]], inputGrads: [[[[[0, 5], [0, 0]]]]] };
  },
  "norm.ts": (ops, t) => {
    const x = t([[3], [5]], { requiresGrad: true });
    const out = ops.batchNorm(x as never, t([1]) as never, t([3.75]) as never, null as never, null as never, { training: false, eps: 0.25 } as never) as TensorLike;
    return { leaves: [x], out, grad: t([[1], [1]]), forward: [[1], [2]], inputGrads: [[[0.5], [0.5]]] };
  },
  "custom-op.ts": (ops, t) => {
    const x = t([1, 2], { requiresGrad: true });
    const out = ops.fromOp("copy" as never, new Float32Array([1, 2]) as never, [2] as never, [x] as never, ((g: TensorLike) => [g]) as never) as TensorLike;
    return { leaves: [x], out, grad: t([5, 7]), forward: [1, 2], inputGrads: [[5, 7]] };
  },
  "views.ts": (ops, t) => {
    const x = t([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    return { leaves: [x], out: ops.flatten(ops.transpose(x as never, 0 as never, 1 as never) as never) as TensorLike, grad: t([1, 2, 3, 4, 5, 6]), forward: [1, 4, 2, 5, 3, 6], inputGrads: [[[1, 3, 5], [2, 4, 6]]] };
  },
};

/** Imports one file of src/tensor/ into a fresh module context, with tensor() and Tensor from that same context. */
async function importAlone(file: string) {
  vi.resetModules();
  const mod = (await import(/* @vite-ignore */ `../src/tensor/${file}`)) as Module;
  const { tensor } = (await import("../src/tensor/create.ts")) as unknown as { tensor: (v: unknown, o?: object) => TensorLike };
  const { Tensor } = await import("../src/tensor/tensor.ts");
  const { backward } = await import("../src/tensor/autograd.ts");
  return { mod, tensor, Tensor, backward: backward as (root: unknown, gradient?: unknown) => void };
}

describe("src/tensor/ without the method table", () => {
  it("finds the op files", () => {
    expect(opFiles).toEqual(expect.arrayContaining(Object.keys(samples)));
  });

  it.each(readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "methods.ts"))("%s imports alone", async (file) => {
    const { Tensor } = await importAlone(file);
    expect(Object.hasOwn(Tensor.prototype, "add"), `${file} pulled in methods.ts`).toBe(false);
  });

  it.each(opFiles)("%s: its op runs forward and backward with no Tensor method", async (file) => {
    const sample = samples[file];
    expect(sample, `add a sample for src/tensor/${file} to test/tensor-standalone.test.ts`).toBeDefined();
    const { mod, tensor, Tensor, backward } = await importAlone(file);
    const { leaves, out, grad, forward, inputGrads } = sample(mod, tensor);
    expect(out).toBeInstanceOf(Tensor);
    expect(out.toArray()).toEqual(forward);
    backward(out, grad);
    expect(leaves.map((leaf) => leaf.grad?.toArray())).toEqual(inputGrads);
    expect(Object.hasOwn(Tensor.prototype, "add")).toBe(false);
  });

});
