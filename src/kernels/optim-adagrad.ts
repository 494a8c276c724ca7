// Adagrad's update loop over contiguous typed arrays.

import type { Floats } from "./optim-common.ts";

/** One Adagrad step: G ← G + g², θ ← θ − η̃·g / (√G + ε), with the decayed rate η̃ computed by the caller. */
export function adagradStep(
  θ: Floats, offset: number, grad: Floats, n: number, G: Floats,
  ηt: number, λ: number, ε: number, maximize: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const θi = θ[offset + i];
    let g = maximize ? -grad[i] : grad[i];
    if (λ !== 0) g += λ * θi;
    const Gi = G[i] + g * g;
    G[i] = Gi;
    θ[offset + i] = θi - (ηt * g) / (Math.sqrt(Gi) + ε);
  }
}
