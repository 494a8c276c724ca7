// The wasm elementwise loops match their plain-TS twins: ReLU bit for bit, the f32x4 optimizer steps to
// float32 rounding; optimizer state living in the wasm memory is updated in place and survives products.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gemm, getBackend, setBackend } from "../src/kernels/index.ts";
import { adamStep } from "../src/kernels/optim-adam.ts";
import { allocateLike } from "../src/kernels/optim-common.ts";
import { JOB } from "../src/kernels/wasm/protocol.mjs";
import { wasmRuntime } from "../src/kernels/wasm/runtime.ts";
import { nn, tensor } from "../src/index.ts";
import { adadeltaStep } from "../src/kernels/optim-adadelta.ts";
import { adagradStep } from "../src/kernels/optim-adagrad.ts";
import { rmspropStep } from "../src/kernels/optim-rmsprop.ts";
import { sgdStep } from "../src/kernels/optim-sgd.ts";
import { adadeltaStepWasm, adagradStepWasm, adamStepWasm, reluBackwardWasm, reluWasm, rmspropStepWasm, sgdStepWasm } from "../src/kernels/vector-wasm.ts";

const initial = getBackend();
beforeEach(() => setBackend("wasm"));
afterEach(() => setBackend(initial));

function random(size: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(size);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}[${i}] = ${actual[i]}, the JS loop gives ${expected[i]}`);
  }
}

/**
 * Equal up to float32 rounding of the intermediate results: a few units in the last place of the
 * result, or `atol` (a few ulps of the operands) where the terms cancel, as in m = β1·m + (1 − β1)·g.
 */
function expectClose(actual: Float32Array, expected: Float32Array, what: string, atol: number, rtol = 4e-7): void {
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= rtol * Math.abs(expected[i]) + atol)) expect.fail(`${what}[${i}] = ${actual[i]}, the JS loop gives ${expected[i]}`);
  }
}

describe("adamStepWasm", () => {
  it.each([
    ["Adam", false, false, false, 0],
    ["Adam + L2", false, false, false, 0.01],
    ["AMSGrad", true, false, false, 0.01],
    ["AdamW", false, true, false, 0.05],
    ["AdamW, AMSGrad, maximize", true, true, true, 0.05],
  ] as const)("%s: adamStep's results to float32 rounding, at an offset, odd length", (_, amsgrad, decoupled, maximize, λ) => {
    const n = 1001, offset = 7;
    const θ = random(offset + n + 3, 1), g = random(n, 2), m = random(n, 3, 0.1), v = random(n, 4, 0.01).map(Math.abs);
    const vMax = amsgrad ? random(n, 5, 0.01).map(Math.abs) : null;
    const js = { θ: θ.slice(), m: m.slice(), v: v.slice(), vMax: vMax?.slice() ?? null };
    for (let t = 1; t <= 3; t++) {
      const bc1 = 1 - 0.9 ** t, bc2 = 1 - 0.999 ** t;
      adamStepWasm(θ, offset, g, n, m, v, vMax, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, λ, decoupled, maximize);
      adamStep(js.θ, offset, g, n, js.m, js.v, js.vMax, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, λ, decoupled, maximize);
    }
    expectClose(θ, js.θ, "θ", 5e-7);
    expectClose(m, js.m, "m", 5e-8);
    expectClose(v, js.v, "v", 5e-9);
    if (vMax) expectClose(vMax, js.vMax!, "vMax", 5e-9);
  });

  it("updates state that lives in the wasm memory in place, mixed with ordinary arrays", () => {
    const n = 1001;
    const θ = random(n, 1), g = random(n, 2);
    const m = allocateLike(θ, n) as Float32Array, v = new Float32Array(n), vMax = allocateLike(θ, n) as Float32Array;
    expect(wasmRuntime()!.addressOf(m)).toBeGreaterThan(0);
    expect(wasmRuntime()!.addressOf(v)).toBe(-1);
    const js = { θ: θ.slice(), m: new Float32Array(n), v: new Float32Array(n), vMax: new Float32Array(n) };
    for (let t = 1; t <= 3; t++) {
      const bc1 = 1 - 0.9 ** t, bc2 = 1 - 0.999 ** t;
      adamStepWasm(θ, 0, g, n, m, v, vMax, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, 0, false, false);
      adamStep(js.θ, 0, g, n, js.m, js.v, js.vMax, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, 0, false, false);
    }
    expectClose(θ, js.θ, "θ", 5e-7);
    expectClose(m, js.m, "m", 5e-8);
    expectClose(v, js.v, "v", 5e-9);
    expectClose(vMax, js.vMax, "vMax", 5e-9);
  });
});

/** One optimizer update, wasm and TS, over (θ at an offset, g, state buffers); `first` is true at step 1. */
type Step = (θ: Float32Array, offset: number, g: Float32Array, n: number, state: Float32Array[], first: boolean) => void;
/** [name, state buffers, wasm, TS, tolerance [rtol, atol] if not float32's: the centered variance v − ḡ² cancels and magnifies rounding]. */
const stepCases: [string, number, Step, Step, [number, number]?][] = [
  ["SGD", 0, (θ, o, g, n, _, __) => sgdStepWasm(θ, o, g, n, null, false, 0.1, 0, 0, false, 0, false), (θ, o, g, n, _, __) => sgdStep(θ, o, g, n, null, false, 0.1, 0, 0, false, 0, false)],
  ["SGD momentum, dampening, L2", 1, (θ, o, g, n, [b], f) => sgdStepWasm(θ, o, g, n, b, f, 0.1, 0.9, 0.1, false, 0.01, false), (θ, o, g, n, [b], f) => sgdStep(θ, o, g, n, b, f, 0.1, 0.9, 0.1, false, 0.01, false)],
  ["NAG, maximize", 1, (θ, o, g, n, [b], f) => sgdStepWasm(θ, o, g, n, b, f, 0.1, 0.9, 0, true, 0, true), (θ, o, g, n, [b], f) => sgdStep(θ, o, g, n, b, f, 0.1, 0.9, 0, true, 0, true)],
  ["Adagrad, L2", 1, (θ, o, g, n, [G]) => adagradStepWasm(θ, o, g, n, G, 0.01, 0.01, 1e-10, false), (θ, o, g, n, [G]) => adagradStep(θ, o, g, n, G, 0.01, 0.01, 1e-10, false)],
  ["RMSprop", 1, (θ, o, g, n, [v]) => rmspropStepWasm(θ, o, g, n, v, null, null, 0.01, 0.99, 1e-8, 0, 0, false), (θ, o, g, n, [v]) => rmspropStep(θ, o, g, n, v, null, null, 0.01, 0.99, 1e-8, 0, 0, false)],
  ["RMSprop centered, momentum, maximize", 3, (θ, o, g, n, [v, gb, b]) => rmspropStepWasm(θ, o, g, n, v, gb, b, 0.01, 0.99, 1e-8, 0.01, 0.9, true), (θ, o, g, n, [v, gb, b]) => rmspropStep(θ, o, g, n, v, gb, b, 0.01, 0.99, 1e-8, 0.01, 0.9, true), [1e-4, 1e-5]],
  ["Adadelta, L2", 2, (θ, o, g, n, [e, d]) => adadeltaStepWasm(θ, o, g, n, e, d, 1, 0.9, 1e-6, 0.01, false), (θ, o, g, n, [e, d]) => adadeltaStep(θ, o, g, n, e, d, 1, 0.9, 1e-6, 0.01, false)],
];

describe.each(stepCases)("%s in wasm", (_, buffers, wasm, js, [rtol, atol] = [4e-7, 5e-7]) => {
  it("gives the TS loop's results to float32 rounding over 3 steps, at an offset, odd length, state resident or not", () => {
    const n = 1001, offset = 5;
    const θ = random(offset + n + 2, 1), jsθ = θ.slice();
    // The first state buffer lives in the wasm memory, the others are ordinary arrays.
    const state = Array.from({ length: buffers }, (_, i) => (i === 0 ? (allocateLike(θ, n) as Float32Array) : new Float32Array(n)));
    const jsState = state.map(() => new Float32Array(n));
    for (let t = 1; t <= 3; t++) {
      const g = random(n, 10 + t);
      wasm(θ, offset, g, n, state, t === 1);
      js(jsθ, offset, g, n, jsState, t === 1);
    }
    expectClose(θ, jsθ, "θ", atol, rtol);
    state.forEach((buffer, i) => expectClose(buffer, jsState[i], `state ${i}`, atol, rtol));
  });
});

describe("resident buffers (allocateLike under the wasm backend)", () => {
  it("are zeroed, disjoint, and untouched by the products that use the memory after them", () => {
    const a = allocateLike(new Float32Array(0), 100) as Float32Array, b = allocateLike(new Float32Array(0), 100) as Float32Array;
    expect(a.every((x) => x === 0) && b.every((x) => x === 0)).toBe(true);
    a.fill(1);
    b.fill(2);
    expect(a.every((x) => x === 1)).toBe(true);
    const [m, n, k] = [300, 200, 100];
    gemm({ m, n, k, a: random(m * k, 3), aOffset: 0, lda: k, transA: false, b: random(k * n, 4), bOffset: 0, ldb: n, transB: false, c: new Float32Array(m * n), cOffset: 0, ldc: n, accumulate: false });
    expect(a.every((x) => x === 1) && b.every((x) => x === 2)).toBe(true);
  });

  it("are ordinary arrays for float64 and on the js backend", () => {
    expect(allocateLike(new Float64Array(1), 10)).toBeInstanceOf(Float64Array);
    setBackend("js");
    expect(wasmRuntime()!.addressOf(allocateLike(new Float32Array(1), 10) as Float32Array)).toBe(-1);
  });

  it("hold a float32 Linear's parameters, which products then read in place", () => {
    const rt = wasmRuntime()!;
    const layer = new nn.Linear(6, 3);
    const weight = layer.weight.data.data as Float32Array;
    expect(rt.addressOf(weight)).toBeGreaterThanOrEqual(0);
    expect(rt.addressOf(layer.bias!.data.data as Float32Array)).toBeGreaterThanOrEqual(0);
    // y = x·Wᵀ reads W where it lives: the product's B operand is the parameter's own address.
    const y = layer.forward(tensor([[1, 2, 3, 4, 5, 6]]));
    expect(rt.job[JOB.A] === rt.addressOf(weight) || rt.job[JOB.B] === rt.addressOf(weight)).toBe(true);
    const w = layer.weight.toArray() as number[][], b = layer.bias!.toArray() as number[];
    const expected = w.map((row, j) => row.reduce((sum, wji, i) => sum + wji * (i + 1), b[j]));
    (y.toArray() as number[][])[0].forEach((value, j) => expect(value).toBeCloseTo(expected[j], 5));
    expect(new nn.Linear(6, 3, { dtype: "float64" }).weight.data.data).toBeInstanceOf(Float64Array);
    setBackend("js");
    expect(rt.addressOf(new nn.Linear(6, 3).weight.data.data as Float32Array)).toBe(-1);
  });

  it("falls back to the JS loop for float64 and on the js backend", () => {
    const θ = Float64Array.from(random(9, 6)), g = Float64Array.from(random(9, 7));
    const expected = θ.slice();
    adamStepWasm(θ, 0, g, 9, new Float64Array(9), new Float64Array(9), null, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, false, false);
    adamStep(expected, 0, g, 9, new Float64Array(9), new Float64Array(9), null, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, false, false);
    expect([...θ]).toEqual([...expected]);
    setBackend("js");
    const θ32 = random(5, 8);
    adamStepWasm(θ32, 0, random(5, 9), 5, new Float32Array(5), new Float32Array(5), null, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, false, false);
    expect(θ32.every(Number.isFinite)).toBe(true);
  });
});

describe("reluWasm", () => {
  it("matches x > 0 ? x : 0 bit for bit, NaN and -0 included, forward and backward", () => {
    const x = random(1003, 10);
    x[0] = Number.NaN; x[1] = -0; x[2] = Number.POSITIVE_INFINITY; x[3] = Number.NEGATIVE_INFINITY;
    const y = new Float32Array(x.length);
    reluWasm(x, y);
    expectSameBits(y, x.map((v) => (v > 0 ? v : 0)), "relu");
    const g = random(x.length, 11);
    const gx = new Float32Array(x.length);
    reluBackwardWasm(y, g, gx);
    expectSameBits(gx, g.map((v, i) => (y[i] > 0 ? v : 0)), "relu backward");
  });
});
