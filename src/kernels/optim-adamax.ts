// Adamax's update loop (Adam with the infinity norm) over contiguous typed arrays.

import type { Floats } from "./optim-common.ts";

/** One Adamax step: m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g| + ε);  θ ← θ − (α / (1 − β1ᵗ))·m / u. */
export function adamaxStep(
  θ: Floats, offset: number, grad: Floats, n: number, m: Floats, u: Floats,
  α: number, β1: number, β2: number, ε: number, bc1: number, λ: number, maximize: boolean,
): void {
  const step = α / bc1;
  for (let i = 0; i < n; i++) {
    const θi = θ[offset + i];
    let g = maximize ? -grad[i] : grad[i];
    if (λ !== 0) g += λ * θi;
    const mi = β1 * m[i] + (1 - β1) * g;
    m[i] = mi;
    const ui = Math.max(β2 * u[i], Math.abs(g) + ε);
    u[i] = ui;
    θ[offset + i] = θi - (step * mi) / ui;
  }
}
