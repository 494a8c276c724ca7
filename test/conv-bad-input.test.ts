// Bad input to conv2d, pooling and the norms: each a clear error naming the op, the shapes and what is valid.

import { describe, expect, it } from "vitest";
import { nn, ones, randn, tensor, zeros, type Tensor } from "../src/index.ts";

const F = nn.functional;
const u = <T>(v: unknown) => v as T;
const img = (...shape: number[]) => randn(shape);

/** [what, the call, the exact message]. */
type Case = [string, () => unknown, string];

const cases: Record<string, Case[]> = {
  conv2d: [
    ["channels that do not match the weight", () => F.conv2d(img(2, 3, 8, 8), img(4, 2, 3, 3), null),
      "conv2d: input [2, 3, 8, 8] has 3 channels, but weight [4, 2, 3, 3] with groups 1 expects 2 (weight.shape[1] · groups)"],
    ["a kernel larger than the padded input", () => F.conv2d(img(1, 1, 4, 4), img(2, 1, 5, 5), null, { padding: 0 }),
      "conv2d: kernel 5×5 of weight [2, 1, 5, 5] is larger than the padded input 4×4 (input [1, 1, 4, 4], padding [0, 0]); the window must fit"],
    ["a dilated kernel larger than the padded input", () => F.conv2d(img(1, 1, 5, 5), img(1, 1, 3, 3), null, { dilation: 3 }),
      "conv2d: kernel 3×3 (7×7 with dilation [3, 3]) of weight [1, 1, 3, 3] is larger than the padded input 5×5 (input [1, 1, 5, 5], padding [0, 0]); the window must fit"],
    ["a 3-D input", () => F.conv2d(img(3, 8, 8), img(4, 3, 3, 3), null),
      "conv2d: expected a 4-D input [N, C, H, W], got [3, 8, 8]"],
    ["a 2-D weight", () => F.conv2d(img(1, 3, 8, 8), img(4, 27), null),
      "conv2d: weight must be 4-D [outChannels, inChannels / groups, kh, kw], got [4, 27]"],
    ["groups that do not divide the channels", () => F.conv2d(img(1, 4, 8, 8), img(6, 1, 3, 3), null, { groups: 3 }),
      "conv2d: groups 3 must divide both the input channels (4, input [1, 4, 8, 8]) and the output channels (6, weight [6, 1, 3, 3])"],
    ["groups 0", () => F.conv2d(img(1, 4, 8, 8), img(4, 4, 3, 3), null, { groups: 0 }),
      "conv2d: groups must be a positive integer, got 0"],
    ["a zero stride", () => F.conv2d(img(1, 1, 8, 8), img(1, 1, 3, 3), null, { stride: 0 }),
      "conv2d: stride must be a positive integer or a pair [h, w] of them, got 0"],
    ["a negative stride in a pair", () => F.conv2d(img(1, 1, 8, 8), img(1, 1, 3, 3), null, { stride: [1, -2] }),
      "conv2d: stride must be a positive integer or a pair [h, w] of them, got [1, -2]"],
    ["a negative padding", () => F.conv2d(img(1, 1, 8, 8), img(1, 1, 3, 3), null, { padding: -1 }),
      "conv2d: padding must be a non-negative integer or a pair [h, w] of them, got -1"],
    ["a fractional dilation", () => F.conv2d(img(1, 1, 8, 8), img(1, 1, 3, 3), null, { dilation: 1.5 }),
      "conv2d: dilation must be a positive integer or a pair [h, w] of them, got 1.5"],
    ["a bias of the wrong size", () => F.conv2d(img(1, 3, 8, 8), img(4, 3, 3, 3), img(3)),
      "conv2d: bias must have shape [4] (one per output channel of weight [4, 3, 3, 3]), got [3]"],
    ["a float64 weight on a float32 input", () => F.conv2d(img(1, 1, 4, 4), randn([1, 1, 3, 3], { dtype: "float64" }), null),
      "conv2d: input is float32 but weight is float64; convert one with .to(\"float32\")"],
  ],
  pooling: [
    ["maxPool2d on a 3-D input", () => F.maxPool2d(img(3, 8, 8), 2),
      "maxPool2d: expected a 4-D input [N, C, H, W], got [3, 8, 8]"],
    ["maxPool2d with a kernel larger than the padded input", () => F.maxPool2d(img(1, 1, 2, 5), 3, { padding: 0 }),
      "maxPool2d: kernel 3×3 is larger than the padded input 2×5 (input [1, 1, 2, 5], padding [0, 0]); the window must fit"],
    ["maxPool2d with a zero stride", () => F.maxPool2d(img(1, 1, 4, 4), 2, { stride: 0 }),
      "maxPool2d: stride must be a positive integer or a pair [h, w] of them, got 0"],
    ["avgPool2d with kernel size 0", () => F.avgPool2d(img(1, 1, 4, 4), 0),
      "avgPool2d: kernelSize must be a positive integer or a pair [h, w] of them, got 0"],
    ["avgPool2d with padding above half the kernel", () => F.avgPool2d(img(1, 1, 4, 4), 2, { padding: 2 }),
      "avgPool2d: padding [2, 2] must be at most half the kernel size [2, 2] (as PyTorch), so that every window holds an input element"],
    ["maxPool2d with a kernel of three sizes", () => F.maxPool2d(img(1, 1, 4, 4), u([2, 2, 2])),
      "maxPool2d: kernelSize must be a positive integer or a pair [h, w] of them, got [2, 2, 2]"],
  ],
  batchNorm: [
    ["training with one value per channel", () => F.batchNorm(img(1, 4), zeros([4]), ones([4]), null, null, { training: true }),
      "batchNorm: expected more than 1 value per channel when training, got input [1, 4] (use a batch of 2 or more, or eval mode)"],
    ["training with one 1×1 image", () => F.batchNorm(img(1, 3, 1, 1), null, null, null, null, { training: true }),
      "batchNorm: expected more than 1 value per channel when training, got input [1, 3, 1, 1] (use a batch of 2 or more, or eval mode)"],
    ["a running mean of the wrong shape", () => F.batchNorm(img(2, 4), zeros([3]), ones([4]), null, null, { training: true }),
      "batchNorm: runningMean has shape [3], expected [4] (one per channel of the input [2, 4])"],
    ["a running variance of the wrong shape", () => F.batchNorm(img(2, 3, 2, 2), zeros([3]), ones([3, 1]), null, null),
      "batchNorm: runningVar has shape [3, 1], expected [3] (one per channel of the input [2, 3, 2, 2])"],
    ["a weight of the wrong shape", () => F.batchNorm(img(2, 3), zeros([3]), ones([3]), ones([2]), null),
      "batchNorm: weight has shape [2], expected [3] (one per channel of the input [2, 3])"],
    ["a 1-D input", () => F.batchNorm(img(4), zeros([4]), ones([4]), null, null),
      "batchNorm: expected an input [N, C] or [N, C, H, W], got [4]"],
    ["eval without running statistics", () => F.batchNorm(img(2, 3), null, null, null, null, { training: false }),
      "batchNorm: runningMean and runningVar are required when training is false (the input is normalized by them)"],
    ["a negative eps", () => F.batchNorm(img(2, 3), null, null, null, null, { training: true, eps: -1 }),
      "batchNorm: eps must be a finite number > 0, got -1"],
    ["a NaN momentum", () => F.batchNorm(img(2, 3), zeros([3]), ones([3]), null, null, { training: true, momentum: NaN }),
      "batchNorm: momentum must be a finite number, got NaN"],
  ],
  layerNorm: [
    ["a normalized shape that is not the last dims", () => F.layerNorm(img(2, 3, 5), [3, 4], null, null),
      "layerNorm: normalizedShape [3, 4] must be the last dims of the input [2, 3, 5] (e.g. [5])"],
    ["a weight of the wrong shape", () => F.layerNorm(img(2, 5), [5], ones([4]), null),
      "layerNorm: weight has shape [4], expected [5] (normalizedShape)"],
    ["an empty normalized shape", () => F.layerNorm(img(2, 5), [], null, null),
      "layerNorm: normalizedShape [] must be the last dims of the input [2, 5] (e.g. [5])"],
  ],
};

describe.each(Object.entries(cases))("%s", (_group, rows) => {
  it.each(rows)("%s", (_what, call, message) => {
    expect(call).toThrow(message);
  });
});

it("leaves the running statistics untouched when the call is refused", () => {
  const runningMean = zeros([4]);
  const runningVar: Tensor = ones([4]);
  expect(() => F.batchNorm(img(1, 4), runningMean, runningVar, null, null, { training: true })).toThrow(/more than 1 value per channel/);
  expect(runningMean.toArray()).toEqual([0, 0, 0, 0]);
  expect(runningVar.toArray()).toEqual([1, 1, 1, 1]);
});

it("maxPool2d passes a NaN through to its window's output, as PyTorch does (a NaN is never hidden by a larger value)", () => {
  const x = tensor([[[[1, NaN], [3, 4]]]]);
  expect(Number.isNaN(F.maxPool2d(x, 2).item())).toBe(true);
});
