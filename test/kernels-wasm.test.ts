// The wasm elementwise loops (Adam step, ReLU) give exactly the bits of their plain-TS twins.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getBackend, setBackend } from "../src/kernels/index.ts";
import { adamStep } from "../src/kernels/optim-adam.ts";
import { adamStepWasm, reluBackwardWasm, reluWasm } from "../src/kernels/vector-wasm.ts";

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

describe("adamStepWasm", () => {
  it.each([
    ["Adam", false, false, false, 0],
    ["Adam + L2", false, false, false, 0.01],
    ["AMSGrad", true, false, false, 0.01],
    ["AdamW", false, true, false, 0.05],
    ["AdamW, AMSGrad, maximize", true, true, true, 0.05],
  ] as const)("%s: same bits as adamStep, at an offset, odd length", (_, amsgrad, decoupled, maximize, λ) => {
    const n = 1001, offset = 7;
    const θ = random(offset + n + 3, 1), g = random(n, 2), m = random(n, 3, 0.1), v = random(n, 4, 0.01).map(Math.abs);
    const vMax = amsgrad ? random(n, 5, 0.01).map(Math.abs) : null;
    const js = { θ: θ.slice(), m: m.slice(), v: v.slice(), vMax: vMax?.slice() ?? null };
    for (let t = 1; t <= 3; t++) {
      const bc1 = 1 - 0.9 ** t, bc2 = 1 - 0.999 ** t;
      adamStepWasm(θ, offset, g, n, m, v, vMax, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, λ, decoupled, maximize);
      adamStep(js.θ, offset, g, n, js.m, js.v, js.vMax, 1e-3, 0.9, 0.999, 1e-8, bc1, bc2, λ, decoupled, maximize);
    }
    expectSameBits(θ, js.θ, "θ");
    expectSameBits(m, js.m, "m");
    expectSameBits(v, js.v, "v");
    if (vMax) expectSameBits(vMax, js.vMax!, "vMax");
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
