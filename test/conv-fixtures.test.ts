// conv2d, pooling, batchNorm and layerNorm against PyTorch (test/fixtures/wave2/conv_ops.json): outputs, gradients, running stats, in float32.

import { describe, expect, it } from "vitest";
import { nn, type Tensor } from "../src/index.ts";
import { expectClose, loadFixture, toTensor, type FixtureFile, type FixtureTensor } from "./helpers/fixtures.ts";

const F = nn.functional;

interface Input extends FixtureTensor { name: string; requiresGrad: boolean }
interface OpCase {
  name: string;
  op: "conv2d" | "max_pool2d" | "avg_pool2d" | "batch_norm" | "layer_norm";
  attrs: Record<string, unknown>;
  inputs: Input[];
  output: FixtureTensor;
  upstreamGrad: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  extraOutputs?: Record<string, FixtureTensor>;
}

const file = loadFixture<FixtureFile<OpCase>>("wave2/conv_ops.json");
const { rtol, atol } = file.recommendedTolerance;

/** The case's call with ndgrad's API, exactly as the fixture README writes it; absent inputs are null. */
function apply(c: OpCase, x: Record<string, Tensor>): Tensor {
  const opt = <T extends Tensor | null>(name: string) => (x[name] ?? null) as T;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const a = c.attrs as any;
  switch (c.op) {
    case "conv2d": return F.conv2d(x.x, x.weight, opt("bias"), a);
    case "max_pool2d": return F.maxPool2d(x.x, a.kernelSize, { stride: a.stride, padding: a.padding });
    case "avg_pool2d": return F.avgPool2d(x.x, a.kernelSize, { stride: a.stride, padding: a.padding });
    case "batch_norm": return F.batchNorm(x.x, opt("runningMean"), opt("runningVar"), opt("weight"), opt("bias"), a);
    case "layer_norm": return F.layerNorm(x.x, a.normalizedShape, opt("weight"), opt("bias"), { eps: a.eps });
  }
}

describe.each(file.cases)("$name", (c) => {
  it("matches PyTorch's output, gradients and updated running statistics", () => {
    const inputs = Object.fromEntries(c.inputs.map((i) => [i.name, toTensor(i, { requiresGrad: i.requiresGrad })]));
    const out = apply(c, inputs);
    expectClose(out, c.output, rtol, atol, `${c.name} output`);
    expect(out.shape).toEqual(c.output.shape);
    for (const [name, want] of Object.entries(c.extraOutputs ?? {})) {
      if (name === "indices") continue;
      expectClose(inputs[name], want, rtol, atol, `${c.name} ${name} after the call`);
    }
    out.backward(toTensor(c.upstreamGrad));
    for (const spec of c.inputs) {
      if (!spec.requiresGrad) continue;
      expect(inputs[spec.name].grad, `${c.name}: grad of ${spec.name}`).not.toBeNull();
      expectClose(inputs[spec.name].grad!, c.grads[spec.name], rtol, atol, `${c.name} grad ${spec.name}`);
    }
  });
});

it("covers every op of the fixture file", () => {
  expect(new Set(file.cases.map((c) => c.op))).toEqual(new Set(["conv2d", "max_pool2d", "avg_pool2d", "batch_norm", "layer_norm"]));
});
