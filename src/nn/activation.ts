// Activation layers as modules: ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax(dim), LogSoftmax(dim).

import { gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh, type Tensor } from "../tensor/index.ts";
import { Module } from "./module.ts";

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class LeakyReLU extends Module {
  /** The slope for x < 0 (PyTorch's default 0.01). */
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== "number" || Number.isNaN(negativeSlope)) throw new RangeError(`LeakyReLU: negativeSlope must be a number, got ${negativeSlope}`);
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** GELU in its exact form x·Φ(x) (PyTorch's approximate="none"). */
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
}

/** Softmax along `dim` (default −1: PyTorch asks for the dim explicitly; the last one is the usual choice). */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }

  extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax(x)) along `dim`, computed stably (max-shifted); pair it with NLLLoss. */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }

  extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
