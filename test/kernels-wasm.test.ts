// The wasm elementwise loops match their plain-TS twins (ReLU bit for bit); long-lived buffers living in
// the wasm memory survive products. The optimizers' SIMD twins are tested in test/optim-twins.test.ts.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { allocateLongLived, gemm, getBackend, setBackend } from "../src/kernels/index.ts";
import { JOB } from "../src/kernels/wasm/protocol.mjs";
import { wasmRuntime } from "../src/kernels/wasm/runtime.ts";
import { nn, tensor } from "../src/index.ts";
import { reluBackwardWasm, reluWasm } from "../src/kernels/vector-wasm.ts";
import { randomFloat32 } from "./helpers/random.ts";

const initial = getBackend();
beforeEach(() => setBackend("wasm"));
afterEach(() => setBackend(initial));

function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}[${i}] = ${actual[i]}, the JS loop gives ${expected[i]}`);
  }
}

describe("resident buffers (allocateLongLived under the wasm backend)", () => {
  it("are zeroed, disjoint, and untouched by the products that use the memory after them", () => {
    const a = allocateLongLived(100), b = allocateLongLived(100);
    expect(a.every((x) => x === 0) && b.every((x) => x === 0)).toBe(true);
    a.fill(1);
    b.fill(2);
    expect(a.every((x) => x === 1)).toBe(true);
    const [m, n, k] = [300, 200, 100];
    gemm({ m, n, k, a: randomFloat32(m * k, 3), aOffset: 0, lda: k, transA: false, b: randomFloat32(k * n, 4), bOffset: 0, ldb: n, transB: false, c: new Float32Array(m * n), cOffset: 0, ldc: n, accumulate: false });
    expect(a.every((x) => x === 1) && b.every((x) => x === 2)).toBe(true);
  });

  it("are ordinary arrays on the js backend", () => {
    setBackend("js");
    expect(wasmRuntime()!.addressOf(allocateLongLived(10))).toBe(-1);
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
});

describe("reluWasm", () => {
  it("matches x > 0 ? x : 0 bit for bit, NaN and -0 included, forward and backward", () => {
    const x = randomFloat32(1003, 10);
    x[0] = Number.NaN; x[1] = -0; x[2] = Number.POSITIVE_INFINITY; x[3] = Number.NEGATIVE_INFINITY;
    const y = new Float32Array(x.length);
    reluWasm(x, y);
    expectSameBits(y, x.map((v) => (v > 0 ? v : 0)), "relu");
    const g = randomFloat32(x.length, 11);
    const gx = new Float32Array(x.length);
    reluBackwardWasm(y, g, gx);
    expectSameBits(gx, g.map((v, i) => (y[i] > 0 ? v : 0)), "relu backward");
  });
});
