// gradcheck: compares autograd's gradients with central finite differences, in float64.

import { fmt, fromArray, noGrad, Tensor } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Allowed |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 1e-5 and 1e-3, as torch.autograd.gradcheck). */
  atol?: number;
  rtol?: number;
}

export interface GradcheckResult {
  /** The largest |analytic − numeric| over every element of every input. */
  maxError: number;
}

/**
 * Checks the gradient of fn at `inputs` (float64 tensors with requiresGrad). A non-scalar output
 * is contracted with fixed pseudo-random weights, so a backward that ignores its incoming
 * gradient is caught. Throws naming the op, the input and the element when a gradient is off.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = checkOptions("gradcheck", options, { eps: true, atol: true, rtol: true });
  if (typeof fn !== "function") throw new TypeError(`gradcheck: the first argument must be a function of the inputs, got ${typeof fn}`);
  if (!Array.isArray(inputs) || inputs.some((x) => !(x instanceof Tensor))) throw new TypeError("gradcheck: inputs must be an array of float64 Tensors");
  for (const [k, x] of inputs.entries()) {
    if (x.dtype !== "float64") throw new TypeError(`gradcheck: input ${k} is ${x.dtype}; finite differences need float64 inputs`);
    if (!x.isContiguous()) throw new TypeError(`gradcheck: input ${k} must be contiguous (it is perturbed in place)`);
  }
  const out = fn(...inputs);
  const op = out.gradFn?.op ?? "the function";
  const weights = fromArray(Float64Array.from({ length: out.size }, (_, i) => 0.5 + ((i * 7919) % 13) / 13), out.shape);
  const objective = (): number => noGrad(() => fn(...inputs).mul(weights).sum().item());
  for (const x of inputs) x.grad = null;
  out.backward(weights);
  let maxError = 0;
  inputs.forEach((x, k) => {
    if (!x.requiresGrad) return;
    const values = x.values();
    const analytic = x.grad?.values() ?? new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const saved = values[i];
      values[i] = saved + eps;
      const up = objective();
      values[i] = saved - eps;
      const down = objective();
      values[i] = saved;
      const numeric = (up - down) / (2 * eps);
      const error = Math.abs(analytic[i] - numeric);
      maxError = Math.max(maxError, error);
      if (!(error <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradcheck: ${op}: input ${k} (shape ${fmt(x.shape)}) element ${i}: analytic ${analytic[i]} vs numeric ${numeric} (error ${error.toExponential(2)})`);
      }
    }
  });
  return { maxError };
}
