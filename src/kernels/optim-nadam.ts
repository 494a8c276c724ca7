// NAdam's update loop over contiguous typed arrays.

import type { Floats } from "./optim-common.ts";

/**
 * One NAdam step: m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  denom ← √(v / bc2) + ε;
 * θ ← θ − cg·g/denom − cm·m/denom, with the caller's scalars
 * cg = γ·(1 − μ_t)/(1 − Π_t) and cm = γ·μ_{t+1}/(1 − Π_t·μ_{t+1}).
 */
export function nadamStep(
  θ: Floats, offset: number, grad: Floats, n: number, m: Floats, v: Floats,
  β1: number, β2: number, ε: number, bc2: number, cg: number, cm: number, λ: number, maximize: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const θi = θ[offset + i];
    let g = maximize ? -grad[i] : grad[i];
    if (λ !== 0) g += λ * θi;
    const mi = β1 * m[i] + (1 - β1) * g;
    m[i] = mi;
    const vi = β2 * v[i] + (1 - β2) * g * g;
    v[i] = vi;
    const denom = Math.sqrt(vi / bc2) + ε;
    θ[offset + i] = θi - (cg * g) / denom - (cm * mi) / denom;
  }
}
