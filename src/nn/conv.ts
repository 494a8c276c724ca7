// nn.Conv2d: a 2-D convolution layer, weight [out, in/groups, kh, kw] and bias [out] as in PyTorch.

import { pair, parameterZeros, type DType, type Size2, type Tensor } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";
import { CONV2D_OPTIONS } from "../tensor/conv.ts";
import type { Generator } from "../tensor/rng.ts";
import { conv2d } from "./functional.ts";
import { uniform } from "./init.ts";
import { Module } from "./module.ts";

export interface Conv2dModuleOptions {
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** float32 (default), or float64 for gradient checks. */
  dtype?: DType;
  /** Draw the initial weights from this generator instead of the seeded default one. */
  generator?: Generator;
}

/**
 * A convolution layer. Weight and bias start as U(−1/√fanIn, 1/√fanIn) with fanIn = (in/groups)·kh·kw,
 * PyTorch's default (kaiming_uniform_ with a = √5 reduces to exactly this bound), from the seeded generator.
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  declare weight: Tensor;
  declare bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dModuleOptions = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, dtype = "float32", generator } = checkOptions("Conv2d", options, { ...CONV2D_OPTIONS, bias: true, dtype: true, generator: true });
    for (const [what, v] of [["inChannels", inChannels], ["outChannels", outChannels], ["groups", groups]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Conv2d: ${what} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new RangeError(`Conv2d: groups ${groups} must divide both inChannels (${inChannels}) and outChannels (${outChannels})`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair("Conv2d", "kernelSize", kernelSize, 1);
    this.stride = pair("Conv2d", "stride", stride, 1);
    this.padding = pair("Conv2d", "padding", padding, 0);
    this.dilation = pair("Conv2d", "dilation", dilation, 1);
    this.groups = groups;
    const [kh, kw] = this.kernelSize;
    const bound = 1 / Math.sqrt((inChannels / groups) * kh * kw);
    this.registerParameter("weight", uniform(parameterZeros("Conv2d", [outChannels, inChannels / groups, kh, kw], dtype), -bound, bound, generator));
    this.registerParameter("bias", bias ? uniform(parameterZeros("Conv2d", [outChannels], dtype), -bound, bound, generator) : null);
  }

  /** x [N, in, H, W] → [N, out, H', W']. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  extraRepr(): string {
    const t = ([a, b]: [number, number]) => `(${a}, ${b})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${t(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${t(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}
