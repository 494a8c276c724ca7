// nn.Flatten and nn.Unflatten: merge dims startDim..endDim (default 1..-1, keeping the batch dim), or split one dim into several.

import type { Tensor } from "../tensor/index.ts";
import { Module } from "./module.ts";

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** nn.Unflatten: splits dim into `sizes`, e.g. rows of 784 pixels [N, 784] → images [N, 1, 28, 28]. */
export class Unflatten extends Module {
  readonly sizes: number[];

  constructor(readonly dim: number, sizes: readonly number[]) {
    super();
    this.sizes = sizes.slice();
  }

  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    return x.reshape([...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }

  extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.sizes.join(", ")})`;
  }
}
