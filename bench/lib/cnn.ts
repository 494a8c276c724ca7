// Convolution timing for the CNN section of bench/run.ts: LeNet-5's two conv layers at batch 128, forward and forward+backward, in GFLOP/s.

import { nn, noGrad, randn, type Tensor } from "../../src/index.ts";

/** One conv layer of LeNet-5 as a training step runs it: the first layer's input needs no gradient. */
export interface ConvLayer {
  name: string;
  build: () => nn.Conv2d;
  input: [number, number, number, number];
  inputGrad: boolean;
}

export function lenetConvs(batch: number): ConvLayer[] {
  return [
    { name: "conv1 1→6 5×5 pad 2", build: () => new nn.Conv2d(1, 6, 5, { padding: 2 }), input: [batch, 1, 28, 28], inputGrad: false },
    { name: "conv2 6→16 5×5", build: () => new nn.Conv2d(6, 16, 5), input: [batch, 6, 14, 14], inputGrad: true },
  ];
}

export interface ConvRates {
  /** GFLOP/s of the forward pass (no graph recorded). */
  forward: number;
  /** GFLOP/s of forward + backward (dW, db, and dx when the input needs it), counting 2 or 3 products. */
  forwardBackward: number;
}

/**
 * The best rate over a few rounds of `repeats` calls each, as scripts/bench-pytorch-cnn.py measures
 * PyTorch: 2·N·O·(C/groups)·kh·kw·oh·ow flops per product.
 */
export function measureConv(layer: ConvLayer, repeats: number): ConvRates {
  const conv = layer.build();
  const x = randn(layer.input);
  x.requiresGrad = layer.inputGrad;
  const probe = noGrad(() => conv.forward(x));
  const [kh, kw] = conv.kernelSize;
  const flops = 2 * probe.size * (conv.inChannels / conv.groups) * kh * kw;
  const upstream: Tensor = randn(probe.shape);
  const forward = best(() => noGrad(() => conv.forward(x)), flops, repeats);
  const forwardBackward = best(() => {
    conv.zeroGrad();
    x.grad = null;
    conv.forward(x).backward(upstream);
  }, flops * (layer.inputGrad ? 3 : 2), repeats);
  return { forward, forwardBackward };
}

function best(fn: () => void, flops: number, repeats: number, rounds = 3): number {
  fn();
  let rate = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) fn();
    rate = Math.max(rate, (flops * repeats) / ((performance.now() - t0) / 1000) / 1e9);
  }
  return rate;
}
