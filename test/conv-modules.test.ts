// nn.Conv2d, MaxPool2d, AvgPool2d, BatchNorm1d/2d and LayerNorm: PyTorch's init, state-dict keys, running statistics, train/eval.

import { describe, expect, it } from "vitest";
import { manualSeed, nn, randn, type Tensor } from "../src/index.ts";
import { expectClose } from "./helpers/fixtures.ts";

const F = nn.functional;

/** Per-channel mean and unbiased variance of x [N, C, H, W] or [N, C], in plain loops. */
function channelStats(x: Tensor): { mean: number[]; unbiased: number[] } {
  const [n, c] = x.shape;
  const inner = x.size / (n * c);
  const v = x.values();
  const mean: number[] = [], unbiased: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const vals: number[] = [];
    for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) vals.push(v[(b * c + ch) * inner + i]);
    const m = vals.reduce((a, b) => a + b, 0) / vals.length;
    mean.push(m);
    unbiased.push(vals.reduce((a, b) => a + (b - m) ** 2, 0) / (vals.length - 1));
  }
  return { mean, unbiased };
}

describe("Conv2d", () => {
  it("has PyTorch's shapes, initial bound 1/√fanIn and state-dict keys", () => {
    manualSeed(1);
    const conv = new nn.Conv2d(4, 6, [3, 2], { groups: 2 });
    expect(conv.weight.shape).toEqual([6, 2, 3, 2]);
    expect(conv.bias!.shape).toEqual([6]);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    for (const t of [conv.weight, conv.bias!]) {
      const v = [...t.values()];
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(bound / 2);
    }
    expect(Object.keys(conv.stateDict())).toEqual(["weight", "bias"]);
    expect(Object.keys(new nn.Conv2d(1, 2, 3, { bias: false }).stateDict())).toEqual(["weight"]);
  });

  it("forwards to conv2d with its options", () => {
    manualSeed(2);
    const conv = new nn.Conv2d(2, 3, 3, { stride: 2, padding: 1, dilation: [1, 2] });
    const x = randn([2, 2, 7, 8]);
    const want = F.conv2d(x, conv.weight, conv.bias, { stride: 2, padding: 1, dilation: [1, 2] });
    expect(conv.forward(x).shape).toEqual([2, 3, 4, 3]);
    expect([...conv.forward(x).values()], "Conv2d forward").toEqual([...want.values()]);
  });

  it("prints as PyTorch does", () => {
    expect(new nn.Conv2d(1, 6, 5, { padding: 2 }).toString()).toBe("Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))");
    expect(new nn.Conv2d(4, 8, [3, 2], { stride: [2, 1], groups: 2, bias: false, dilation: 2 }).toString())
      .toBe("Conv2d(4, 8, kernel_size=(3, 2), stride=(2, 1), dilation=(2, 2), groups=2, bias=False)");
    expect(new nn.MaxPool2d(2).toString()).toBe("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    expect(new nn.AvgPool2d(3, { stride: 1, padding: 1 }).toString()).toBe("AvgPool2d(kernel_size=3, stride=1, padding=1)");
  });

  it("refuses groups that do not divide the channels", () => {
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 4 })).toThrow("Conv2d: groups 4 must divide both inChannels (4) and outChannels (6)");
  });
});

describe("pooling modules", () => {
  it("default the stride to the kernel size", () => {
    const x = randn([1, 2, 6, 6]);
    expect(new nn.MaxPool2d(2).forward(x).values()).toEqual(F.maxPool2d(x, 2, { stride: 2 }).values());
    expect(new nn.AvgPool2d([3, 2], { padding: 1 }).forward(x).values()).toEqual(F.avgPool2d(x, [3, 2], { stride: [3, 2], padding: 1 }).values());
  });
});

describe("BatchNorm", () => {
  it("has PyTorch's parameters, buffers and state-dict keys", () => {
    const bn = new nn.BatchNorm2d(3);
    expect(Object.keys(bn.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    expect(bn.weight!.toArray()).toEqual([1, 1, 1]);
    expect(bn.bias!.toArray()).toEqual([0, 0, 0]);
    expect(bn.runningMean!.toArray()).toEqual([0, 0, 0]);
    expect(bn.runningVar!.toArray()).toEqual([1, 1, 1]);
    expect(bn.stateDict().num_batches_tracked.toArray()).toBe(0);
    expect(bn.parameters()).toHaveLength(2);
    expect(Object.keys(new nn.BatchNorm1d(3, { affine: false, trackRunningStats: false }).stateDict())).toEqual([]);
  });

  it("updates the running statistics in training (unbiased variance) and uses them in eval", () => {
    manualSeed(3);
    const bn = new nn.BatchNorm2d(2, { momentum: 0.25 });
    const batches = [randn([4, 2, 3, 3]).mul(2).add(1), randn([4, 2, 3, 3])];
    const rm = [0, 0], rv = [1, 1];
    for (const x of batches) {
      const y = bn.forward(x);
      const { mean, unbiased } = channelStats(x);
      for (let c = 0; c < 2; c++) {
        rm[c] = 0.75 * rm[c] + 0.25 * mean[c];
        rv[c] = 0.75 * rv[c] + 0.25 * unbiased[c];
      }
      const normalized = channelStats(y);
      expectClose(normalized.mean, [0, 0], 0, 1e-5, "training output mean");
    }
    expectClose(bn.runningMean!, rm, 1e-5, 1e-6, "running_mean");
    expectClose(bn.runningVar!, rv, 1e-5, 1e-6, "running_var");
    expect(bn.stateDict().num_batches_tracked.item()).toBe(2);

    bn.eval();
    const x = randn([3, 2, 2, 2]);
    const want = F.batchNorm(x, bn.runningMean!.clone(), bn.runningVar!.clone(), bn.weight, bn.bias, { training: false });
    expect([...bn.forward(x).values()], "eval forward").toEqual([...want.values()]);
    expectClose(bn.runningMean!, rm, 1e-5, 1e-6, "running_mean unchanged in eval");
    expect(bn.stateDict().num_batches_tracked.item()).toBe(2);
  });

  it("with momentum null keeps the plain average of the batch statistics", () => {
    manualSeed(4);
    const bn = new nn.BatchNorm1d(3, { momentum: null });
    const xs = [randn([5, 3]), randn([5, 3]).add(2), randn([5, 3]).mul(3)];
    for (const x of xs) bn.forward(x);
    const means = xs.map((x) => channelStats(x).mean);
    expectClose(bn.runningMean!, [0, 1, 2].map((c) => (means[0][c] + means[1][c] + means[2][c]) / 3), 1e-5, 1e-6, "cumulative running_mean");
  });

  it("without running statistics normalizes by the batch in eval too", () => {
    manualSeed(5);
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false }).eval();
    const x = randn([6, 2]).mul(4);
    expectClose(channelStats(bn.forward(x)).mean, [0, 0], 0, 1e-5, "eval without running stats");
  });

  it("is switched by train() and eval() of the model that holds it, as dropout is", () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Dropout(0.5));
    model.eval();
    expect(model.modules().every((m) => !m.training)).toBe(true);
    const x = randn([2, 3]);
    expect([...model.forward(x).values()], "eval is deterministic").toEqual([...model.forward(x).values()]);
    expect((model[1] as nn.BatchNorm1d).stateDict().num_batches_tracked.item()).toBe(0);
    model.train();
    model.forward(x);
    expect((model[1] as nn.BatchNorm1d).stateDict().num_batches_tracked.item()).toBe(1);
  });

  it("refuses an input of the wrong rank or channel count, naming the layer", () => {
    expect(() => new nn.BatchNorm2d(3).forward(randn([2, 3]))).toThrow("BatchNorm2d(3): expected 4-D input, got [2, 3]");
    expect(() => new nn.BatchNorm1d(3).forward(randn([2, 4]))).toThrow("BatchNorm1d(3): expected 3 channels (dim 1), got input [2, 4]");
    expect(() => new nn.BatchNorm1d(3).forward(randn([1, 3]))).toThrow("batchNorm: expected more than 1 value per channel when training, got input [1, 3]");
    expect(() => new nn.BatchNorm1d(3, { momentum: 2 })).toThrow("BatchNorm1d: momentum must be in [0, 1] or null (cumulative average), got 2");
  });

  it("state dicts round-trip, buffers included", () => {
    manualSeed(6);
    const a = new nn.BatchNorm2d(2);
    a.forward(randn([3, 2, 2, 2]));
    const b = new nn.BatchNorm2d(2);
    b.loadStateDict(a.stateDict());
    expect(b.runningMean!.toArray()).toEqual(a.runningMean!.toArray());
    expect(b.stateDict().num_batches_tracked.item()).toBe(1);
  });
});

describe("LayerNorm", () => {
  it("has weight and bias of normalizedShape and forwards to layerNorm", () => {
    manualSeed(7);
    const ln = new nn.LayerNorm([3, 4], { eps: 1e-3 });
    expect(Object.keys(ln.stateDict())).toEqual(["weight", "bias"]);
    expect(ln.weight!.shape).toEqual([3, 4]);
    const x = randn([2, 3, 4]);
    expect([...ln.forward(x).values()], "LayerNorm forward").toEqual([...F.layerNorm(x, [3, 4], ln.weight, ln.bias, { eps: 1e-3 }).values()]);
    expect(new nn.LayerNorm(5, { elementwiseAffine: false }).parameters()).toHaveLength(0);
    expect(new nn.LayerNorm(5).toString()).toBe("LayerNorm((5,), eps=0.00001, elementwise_affine=True)");
  });
});
