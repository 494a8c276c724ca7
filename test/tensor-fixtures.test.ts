// The tensor ops against PyTorch: every non-loss case of autograd_ops.json, forward and gradients, in float32.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { add, div, mul, sub, tensor, type Tensor } from "../src/index.ts";

interface FixtureTensor { shape: number[]; data: number[] }
interface Input extends FixtureTensor { name: string; dtype: "float" | "int"; requiresGrad: boolean }
interface Case {
  name: string;
  op: string;
  attrs: Record<string, unknown>;
  inputs: Input[];
  output: FixtureTensor;
  upstreamGrad: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const file = JSON.parse(readFileSync(new URL("./fixtures/autograd_ops.json", import.meta.url), "utf8"));
const { rtol, atol } = file.recommendedTolerance as { rtol: number; atol: number };
const LOSSES = new Set(["cross_entropy", "mse_loss", "binary_cross_entropy_with_logits", "mlp_loss"]);
const cases = (file.cases as Case[]).filter((c) => !LOSSES.has(c.op));

/** The op of each case, written with ndgrad's API. */
function apply(c: Case, x: Tensor[]): Tensor {
  const a = c.attrs as { axis?: number | null; keepdim?: boolean; exponent?: number; negativeSlope?: number; shape?: number[]; dim0?: number; dim1?: number; scalar?: number; scalarSide?: "left" | "right" };
  if (a.scalar !== undefined) {
    const fn = { add, sub, mul, div }[c.op as "add" | "sub" | "mul" | "div"];
    return a.scalarSide === "left" ? fn(a.scalar, x[0]) : fn(x[0], a.scalar);
  }
  switch (c.op) {
    case "add": return x[0].add(x[1]);
    case "sub": return x[0].sub(x[1]);
    case "mul": return x[0].mul(x[1]);
    case "div": return x[0].div(x[1]);
    case "matmul": return x[0].matmul(x[1]);
    case "sum": return x[0].sum(a.axis, a.keepdim);
    case "mean": return x[0].mean(a.axis, a.keepdim);
    case "max": return x[0].max(a.axis, a.keepdim);
    case "exp": return x[0].exp();
    case "log": return x[0].log();
    case "sqrt": return x[0].sqrt();
    case "pow": return x[0].pow(a.exponent!);
    case "neg": return x[0].neg();
    case "abs": return x[0].abs();
    case "relu": return x[0].relu();
    case "leaky_relu": return x[0].leakyRelu(a.negativeSlope);
    case "sigmoid": return x[0].sigmoid();
    case "tanh": return x[0].tanh();
    case "gelu": return x[0].gelu();
    case "softmax": return x[0].softmax(a.axis!);
    case "log_softmax": return x[0].logSoftmax(a.axis!);
    case "reshape": return x[0].reshape(a.shape!);
    case "transpose": return x[0].transpose(a.dim0!, a.dim1!);
    default: throw new Error(`unknown op ${c.op}`);
  }
}

function expectClose(got: Tensor, want: FixtureTensor, label: string): void {
  expect(got.shape, `${label}: shape`).toEqual(want.shape);
  const values = got.values();
  want.data.forEach((w, i) => {
    const err = Math.abs(values[i] - w);
    if (!(err <= atol + rtol * Math.abs(w))) expect.fail(`${label}[${i}]: got ${values[i]}, want ${w} (error ${err.toExponential(2)})`);
  });
}

describe.each(cases)("$name", (c) => {
  it("matches PyTorch's output and gradients in float32", () => {
    const inputs = c.inputs.map((i) => tensor(Float32Array.from(i.data), { shape: i.shape, requiresGrad: i.requiresGrad }));
    const out = apply(c, inputs);
    expectClose(out, c.output, `${c.name} output`);
    out.backward(tensor(Float32Array.from(c.upstreamGrad.data), { shape: c.upstreamGrad.shape }));
    c.inputs.forEach((spec, k) => {
      if (!spec.requiresGrad) return;
      expect(inputs[k].grad, `${c.name}: grad of ${spec.name}`).not.toBeNull();
      expectClose(inputs[k].grad!, c.grads[spec.name], `${c.name} grad ${spec.name}`);
    });
  });
});

it("covers every non-loss op of the fixture file", () => {
  expect(new Set(cases.map((c) => c.op)).size).toBe(23);
});
