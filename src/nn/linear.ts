// nn.Linear: a fully-connected layer y = x·Wᵀ + b, weight [out, in] and bias [out] as in PyTorch.

import { parameterZeros, type DType, type Tensor } from "../tensor/index.ts";
import type { Generator } from "../tensor/rng.ts";
import { linear } from "./functional.ts";
import { uniform } from "./init.ts";
import { Module } from "./module.ts";
import { given } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** float32 (default), or float64 for gradient checks. */
  dtype?: DType;
  /** Draw the initial weights from this generator instead of the seeded default one. */
  generator?: Generator;
}

/**
 * A fully-connected layer. Both tensors start as U(−1/√in, 1/√in), PyTorch's default (its
 * kaiming_uniform_ with a = √5 reduces to exactly this bound), drawn from the seeded generator:
 * manualSeed(s) before construction gives the same weights every time.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  declare weight: Tensor;
  declare bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [what, v] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (typeof v !== "number") throw new TypeError(`Linear: ${what} must be a non-negative integer, got ${given(v)}`);
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Linear: ${what} must be a non-negative integer, got ${v}`);
    }
    const { bias = true, dtype = "float32", generator } = checkOptions("Linear", options, { bias: true, dtype: true, generator: true }, "an object such as { bias: false }");
    if (typeof bias !== "boolean") throw new TypeError(`Linear: bias must be true or false, got ${given(bias)}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.registerParameter("weight", uniform(parameterZeros("Linear", [outFeatures, inFeatures], dtype), -bound, bound, generator));
    this.registerParameter("bias", bias ? uniform(parameterZeros("Linear", [outFeatures], dtype), -bound, bound, generator) : null);
  }

  /** x [batch, in] (or [..., in]) → [batch, out], one fused op. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, `Linear(${this.inFeatures}, ${this.outFeatures})`);
  }

  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
