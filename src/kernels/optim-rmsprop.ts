// RMSprop's update loop (plain, centered, with momentum) over contiguous typed arrays.

import type { Floats } from "./optim-common.ts";

/**
 * One RMSprop step. `gBar` (the running mean of g, centered form) and `b` (the momentum buffer)
 * are null when unused.
 */
export function rmspropStep(
  θ: Floats, offset: number, grad: Floats, n: number, v: Floats, gBar: Floats | null, b: Floats | null,
  η: number, α: number, ε: number, λ: number, μ: number, maximize: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const θi = θ[offset + i];
    let g = maximize ? -grad[i] : grad[i];
    if (λ !== 0) g += λ * θi;
    const vi = α * v[i] + (1 - α) * g * g;
    v[i] = vi;
    let denom: number;
    if (gBar !== null) {
      const ḡ = α * gBar[i] + (1 - α) * g;
      gBar[i] = ḡ;
      // v − ḡ² is a variance, ≥ 0 in exact arithmetic; rounding must not turn it into NaN.
      denom = Math.sqrt(Math.max(vi - ḡ * ḡ, 0)) + ε;
    } else {
      denom = Math.sqrt(vi) + ε;
    }
    if (b !== null) {
      const bi = μ * b[i] + g / denom;
      b[i] = bi;
      θ[offset + i] = θi - η * bi;
    } else {
      θ[offset + i] = θi - (η * g) / denom;
    }
  }
}
