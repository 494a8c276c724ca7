// Every optimizer's SIMD twin (assembly/optim/) against its reference loop (src/optim/<name>.ts), on
// random inputs, for every combination of its switches and of its zero-default options, to float32 rounding.

import ndarray from "ndarray";
import { afterEach, describe, expect, it, vi } from "vitest";
import { allocateLongLived, getBackend, setBackend } from "../src/kernels/index.ts";
import { wasmRuntime } from "../src/kernels/wasm/runtime.ts";
import * as optim from "../src/optim/index.ts";
import { Tensor, tensor } from "../src/tensor/index.ts";
import { randomFloat32 } from "./helpers/random.ts";

/** Every call of `twin` (src/optim/simd.ts) and whether the twin ran. */
const calls = vi.hoisted(() => [] as { kernel: string; ran: boolean }[]);
vi.mock("../src/optim/simd.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/optim/simd.ts")>();
  return {
    ...actual,
    twin: (...args: Parameters<typeof actual.twin>) => {
      const ran = actual.twin(...args);
      calls.push({ kernel: args[0], ran });
      return ran;
    },
  };
});

const initial = getBackend();
afterEach(() => setBackend(initial));

/** The value a zero-default option takes when switched on (lr is SGD's required one). */
const ON: Record<string, number> = { lr: 0.01, momentum: 0.5, dampening: 0.3, weightDecay: 0.1, lrDecay: 0.1, initialAccumulatorValue: 0.1 };

/** Each boolean option both ways and each option whose default is 0 (or required) off and on: every valid combination. */
function combinations(name: string): Record<string, unknown>[] {
  const defaults = optim.create(name, [tensor([0])], { lr: ON.lr }).defaults as unknown as Record<string, unknown>;
  let out: Record<string, unknown>[] = [{ lr: ON.lr }];
  for (const [key, value] of Object.entries(defaults)) {
    const choices = typeof value === "boolean" ? [false, true] : value === 0 && key in ON ? [0, ON[key]] : [];
    if (choices.length > 0) out = out.flatMap((o) => choices.map((c) => ({ ...o, [key]: c })));
  }
  return out.filter((options) => {
    try {
      optim.create(name, [tensor([0])], options);
      return true;
    } catch {
      return false; // e.g. nesterov without momentum
    }
  });
}

/** Sizes: odd (the last element goes through the twin's staging), fewer than four lanes, and a multiple of four. */
const SIZES = [1001, 3, 64];
/** Where each parameter starts in its storage. */
const OFFSET = 3;

/** Parameters with the same values on each run; `resident`: storage in the wasm memory (updated in place). */
function params(resident: boolean): Tensor[] {
  return SIZES.map((n, i) => {
    const storage = resident && i === 0 ? allocateLongLived(n + OFFSET + 1) : new Float32Array(n + OFFSET + 1);
    storage.set(randomFloat32(n, 10 + i), OFFSET);
    return new Tensor(ndarray(storage, [n], [1], OFFSET));
  });
}

/** Runs 4 steps of random gradients on `backend`; returns θ and every state buffer after each step. */
function trajectory(name: string, options: Record<string, unknown>, backend: "js" | "wasm"): Float32Array[][] {
  setBackend(backend);
  const ps = params(backend === "wasm");
  const opt = optim.create(name, ps, options);
  const out: Float32Array[][] = [];
  for (let t = 0; t < 4; t++) {
    ps.forEach((p, i) => (p.grad = tensor(randomFloat32(p.size, 100 * t + i, 2), { shape: p.shape })));
    opt.step();
    out.push(ps.flatMap((p) => [Float32Array.from(p.values()), ...Object.values(opt.state.get(p)!).filter((v): v is Float32Array => v instanceof Float32Array).map((v) => v.slice())]));
  }
  return out;
}

/**
 * Equal up to float32 rounding: the twin rounds every operation to float32, the reference once at
 * the store, so a value may differ by a few units in the last place of the terms it was computed
 * from, which may be larger than the value itself (b ← μ·b + g/denom cancels): a few ulps of the
 * value, plus 1e-6 of the largest value in the array.
 */
function expectFloat32Close(actual: Float32Array, expected: Float32Array, what: string): void {
  const scale = expected.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= 1e-6 * (Math.abs(e) + scale))) expect.fail(`${what}[${i}]: twin ${a}, reference ${e} (largest value ${scale})`);
  }
}

/** L-BFGS steps only with a closure, over all its parameters at once (test/optim-lbfgs.test.ts); every other optimizer steps here. */
const STEPPED = optim.available().filter((name) => name !== "lbfgs");

describe.each(STEPPED)("%s", (name) => {
  it.each(combinations(name).map((o) => [JSON.stringify(o), o] as const))("twin = reference with %s", (_label, options) => {
    calls.length = 0;
    const reference = trajectory(name, options, "js");
    expect(calls.every((c) => !c.ran)).toBe(true);
    calls.length = 0;
    const simd = trajectory(name, options, "wasm");
    // An optimizer without a twin runs its loop on both backends; one with a twin must not fall back.
    expect(calls.filter((c) => !c.ran)).toEqual([]);
    reference.forEach((arrays, t) => {
      expect(simd[t].length).toBe(arrays.length);
      arrays.forEach((expected, k) => expectFloat32Close(simd[t][k], expected, `${name} step ${t + 1} array ${k}`));
    });
  });

  it("runs the reference loop for float64 under the wasm backend", () => {
    setBackend("wasm");
    calls.length = 0;
    const p = tensor(Float64Array.from(randomFloat32(9, 1)), { shape: [9] });
    const opt = optim.create(name, [p], { lr: ON.lr });
    p.grad = tensor(Float64Array.from(randomFloat32(9, 2)), { shape: [9] });
    opt.step();
    expect(calls.every((c) => !c.ran)).toBe(true);
  });
});

it("every twin the wasm module exports runs for some registered optimizer", () => {
  setBackend("wasm");
  const reached = new Set<string>();
  for (const name of STEPPED) {
    calls.length = 0;
    const p = tensor(randomFloat32(5, 1), { shape: [5] });
    const opt = optim.create(name, [p], { lr: ON.lr });
    p.grad = tensor(randomFloat32(5, 2), { shape: [5] });
    opt.step();
    for (const c of calls) if (c.ran) reached.add(c.kernel);
  }
  const twins = Object.keys(wasmRuntime()!.kernels).filter((k) => k.endsWith("Step"));
  expect(twins.length).toBeGreaterThanOrEqual(7);
  expect([...reached].sort()).toEqual(twins.sort());
});
