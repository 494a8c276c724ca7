// Adam's update loop (with AMSGrad and AdamW's decoupled decay as switches) over contiguous typed arrays.

import type { Floats } from "./optim-common.ts";

/**
 * One Adam step, the loop body of Algorithm 1 (Kingma & Ba) for each element:
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  v̂max ← max(v̂max, v) if AMSGrad;
 *   m̂ ← m / bc1;  v̂ ← v / bc2;  θ ← θ − α·m̂ / (√v̂ + ε)
 * with bc1 = 1 − β1ᵗ and bc2 = 1 − β2ᵗ from the caller. Weight decay λ is L2 (added to g), or,
 * when `decoupled`, AdamW's θ ← θ·(1 − α·λ) before the moments.
 */
export function adamStep(
  θ: Floats, offset: number, grad: Floats, n: number, m: Floats, v: Floats, vMax: Floats | null,
  α: number, β1: number, β2: number, ε: number, bc1: number, bc2: number,
  λ: number, decoupled: boolean, maximize: boolean,
): void {
  const shrink = 1 - α * λ;
  for (let i = 0; i < n; i++) {
    let θi = θ[offset + i];
    let g = maximize ? -grad[i] : grad[i];           // gt ← ∇θ ft(θt−1)
    if (decoupled) θi *= shrink;                      // AdamW: θt−1 ← θt−1·(1 − α·λ)
    else if (λ !== 0) g += λ * θi;                    // Adam: gt ← gt + λ·θt−1
    const mi = β1 * m[i] + (1 - β1) * g;              // mt ← β1·mt−1 + (1 − β1)·gt
    m[i] = mi;
    let vi = β2 * v[i] + (1 - β2) * g * g;            // vt ← β2·vt−1 + (1 − β2)·gt²
    v[i] = vi;
    if (vMax !== null) {
      // AMSGrad takes the max of the raw (uncorrected) second moments, as PyTorch's code does.
      vi = Math.max(vMax[i], v[i]);
      vMax[i] = vi;
    }
    const mHat = mi / bc1;                            // m̂t ← mt / (1 − β1ᵗ)
    const vHat = vi / bc2;                            // v̂t ← vt / (1 − β2ᵗ)
    θ[offset + i] = θi - (α * mHat) / (Math.sqrt(vHat) + ε); // θt ← θt−1 − α·m̂t / (√v̂t + ε)
  }
}
