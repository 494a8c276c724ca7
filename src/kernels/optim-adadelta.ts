// Adadelta's update loop over contiguous typed arrays.

import type { Floats } from "./optim-common.ts";

/**
 * One Adadelta step: E[g²] ← ρ·E[g²] + (1 − ρ)·g²; Δθ ← √(E[Δθ²] + ε) / √(E[g²] + ε) · g;
 * E[Δθ²] ← ρ·E[Δθ²] + (1 − ρ)·Δθ²; θ ← θ − η·Δθ.
 */
export function adadeltaStep(
  θ: Floats, offset: number, grad: Floats, n: number, Eg2: Floats, Edx2: Floats,
  η: number, ρ: number, ε: number, λ: number, maximize: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const θi = θ[offset + i];
    let g = maximize ? -grad[i] : grad[i];
    if (λ !== 0) g += λ * θi;
    const eg2 = ρ * Eg2[i] + (1 - ρ) * g * g;
    Eg2[i] = eg2;
    const Δ = (Math.sqrt(Edx2[i] + ε) / Math.sqrt(eg2 + ε)) * g;
    Edx2[i] = ρ * Edx2[i] + (1 - ρ) * Δ * Δ;
    θ[offset + i] = θi - η * Δ;
  }
}
