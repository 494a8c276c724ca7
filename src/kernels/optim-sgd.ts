// SGD's update loop (L2 weight decay, momentum with dampening, Nesterov) over contiguous typed arrays.

import type { Floats } from "./optim-common.ts";

/**
 * One SGD step on n elements: θ[offset + i] is updated from grad[i].
 * `b` is the momentum buffer (null when μ = 0); `first` says it holds nothing yet, so it takes g as is.
 * Arithmetic runs in float64 registers; θ and b keep their own precision.
 */
export function sgdStep(
  θ: Floats, offset: number, grad: Floats, n: number, b: Floats | null, first: boolean,
  η: number, μ: number, τ: number, nesterov: boolean, λ: number, maximize: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const θi = θ[offset + i];
    let g = maximize ? -grad[i] : grad[i];
    if (λ !== 0) g += λ * θi;
    if (b !== null) {
      const bi = first ? g : μ * b[i] + (1 - τ) * g;
      b[i] = bi;
      g = nesterov ? g + μ * bi : bi;
    }
    θ[offset + i] = θi - η * g;
  }
}
