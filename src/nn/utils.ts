// nn.utils: gradient clipping by total norm (clipGradNorm) and by value (clipGradValue), in place on .grad.

import ndarray from "ndarray";
import ops from "ndarray-ops";
import { given, Tensor } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";
import { gradOf } from "../tensor/tensor.ts";

export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2); Infinity gives the largest absolute entry. */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling by a meaningless factor. */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales the gradients of `parameters` together so that their total norm is at most maxNorm
 * (Pascanu et al., 2013), as torch.nn.utils.clip_grad_norm_:
 *
 *   total = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, …)‖ₚ                 (the p-norm of all entries at once)
 *   g ← g · min(1, maxNorm / (total + 1e-6))
 *
 * Returns the total norm before clipping. Parameters without a gradient are skipped.
 */
export function clipGradNorm(parameters: Tensor | Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const { normType = 2, errorIfNonfinite = false } = checkOptions("clipGradNorm", options, { normType: true, errorIfNonfinite: true }, "an object such as { normType: 2 }");
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm)) throw new TypeError(`clipGradNorm: maxNorm must be a number, got ${given(maxNorm)}`);
  if (typeof errorIfNonfinite !== "boolean") throw new TypeError(`clipGradNorm: errorIfNonfinite must be true or false, got ${given(errorIfNonfinite)}`);
  // PyTorch does not check, and a negative maxNorm would flip every gradient's sign.
  if (maxNorm < 0) throw new RangeError(`clipGradNorm: maxNorm must be >= 0, got ${maxNorm}`);
  if (typeof normType !== "number" || !(normType > 0)) throw new RangeError(`clipGradNorm: normType must be a positive number or Infinity, got ${given(normType)}`);
  const grads = gradsOf("clipGradNorm", parameters);
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) {
      for (const v of g.values()) {
        const a = Math.abs(v);
        // Once NaN, stays NaN: a NaN gradient must not be hidden by a later finite maximum.
        if (a > total || Number.isNaN(a)) total = a;
      }
    }
  } else {
    let acc = 0;
    for (const g of grads) for (const v of g.values()) acc += Math.abs(v) ** normType;
    total = acc ** (1 / normType);
  }
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(`clipGradNorm: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped (errorIfNonfinite is set)`);
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of grads) mapInPlace(g, (v) => v * coef);
  return total;
}

/** Clamps every gradient entry to [−clipValue, clipValue] in place (torch.nn.utils.clip_grad_value_). */
export function clipGradValue(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== "number") throw new TypeError(`clipGradValue: clipValue must be a number >= 0, got ${given(clipValue)}`);
  if (!(clipValue >= 0)) throw new RangeError(`clipGradValue: clipValue must be >= 0, got ${clipValue}`);
  for (const g of gradsOf("clipGradValue", parameters)) mapInPlace(g, (v) => (v > clipValue ? clipValue : v < -clipValue ? -clipValue : v));
}

function gradsOf(who: string, parameters: Tensor | Iterable<Tensor>): Tensor[] {
  if (!(parameters instanceof Tensor) && typeof (parameters as Iterable<Tensor> | null)?.[Symbol.iterator] !== "function") {
    throw new TypeError(`${who}: parameters must be a Tensor or an iterable of Tensors (e.g. model.parameters()), got ${given(parameters)}`);
  }
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  for (const [i, p] of list.entries()) {
    if (!(p instanceof Tensor)) throw new TypeError(`${who}: parameter ${i} is not a Tensor (got ${given(p)})`);
  }
  return list.map(gradOf).filter((g): g is Tensor => g !== null);
}

/** Writes f(v) over the tensor's own storage, whatever its strides. */
function mapInPlace(t: Tensor, f: (v: number) => number): void {
  // values() is the storage itself when contiguous, a copy to write back otherwise.
  const values = t.values();
  for (let i = 0; i < values.length; i++) values[i] = f(values[i]);
  if (!t.isContiguous()) ops.assign(t.data, ndarray(values, t.shape));
  t.bumpVersion();
}
