// nn.Flatten: merges dims startDim..endDim (default 1..-1, keeping the batch dim), e.g. images [N, 28, 28] → [N, 784].

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
