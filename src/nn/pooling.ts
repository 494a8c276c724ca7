// nn.MaxPool2d and nn.AvgPool2d: the pooling ops as layers (stride defaults to the kernel size).

import { pair, type Size2, type Tensor } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";
import { POOL2D_OPTIONS } from "../tensor/pool.ts";
import { avgPool2d, maxPool2d, type Pool2dOptions } from "./functional.ts";
import { Module } from "./module.ts";

abstract class Pool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super();
    const who = this.constructor.name;
    const { stride, padding = 0 } = checkOptions(who, options, POOL2D_OPTIONS);
    this.kernelSize = pair(who, "kernelSize", kernelSize, 1);
    this.stride = stride === undefined || stride === null ? this.kernelSize : pair(who, "stride", stride, 1);
    this.padding = pair(who, "padding", padding, 0);
  }

  extraRepr(): string {
    const t = ([a, b]: [number, number]) => (a === b ? `${a}` : `(${a}, ${b})`);
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}, padding=${t(this.padding)}`;
  }
}

/** The max of each window (the gradient goes to the max). */
export class MaxPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }

  extraRepr(): string {
    return `${super.extraRepr()}, dilation=1, ceil_mode=False`;
  }
}

/** The mean of each window, padding zeros included (PyTorch's count_include_pad). */
export class AvgPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}
