// nn.LayerNorm: layer normalization over the last dims, with an elementwise affine (weight, bias) as PyTorch's.

import { fmt, parameterZeros, type DType, type Tensor } from "../tensor/index.ts";
import { checkNormEps } from "../tensor/norm.ts";
import { checkOptions } from "../tensor/describe.ts";
import { layerNorm } from "./functional.ts";
import { constant } from "./init.ts";
import { Module } from "./module.ts";

export interface LayerNormModuleOptions {
  /** Added to the variance inside the square root (default 1e-5). */
  eps?: number;
  /** Learn weight (starts at 1) and bias (starts at 0) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  dtype?: DType;
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  declare weight: Tensor | null;
  declare bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormModuleOptions = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, dtype = "float32" } = checkOptions("LayerNorm", options, { eps: true, elementwiseAffine: true, dtype: true });
    checkNormEps("LayerNorm", eps);
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : Array.isArray(normalizedShape) ? normalizedShape.slice() : [];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new RangeError(`LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${Array.isArray(normalizedShape) ? fmt(normalizedShape) : String(normalizedShape)}`);
    }
    this.normalizedShape = shape;
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.registerParameter("weight", elementwiseAffine ? constant(parameterZeros("LayerNorm", shape, dtype), 1) : null);
    this.registerParameter("bias", elementwiseAffine ? parameterZeros("LayerNorm", shape, dtype) : null);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }

  extraRepr(): string {
    return `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""}), eps=${this.eps}, elementwise_affine=${this.elementwiseAffine ? "True" : "False"}`;
  }
}
