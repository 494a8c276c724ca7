// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter).

import { Adam, type AdamOptions } from "./adam.ts";
import type { ParamsInput } from "./optimizer.ts";

/**
 * AdamW (Loshchilov & Hutter, 2019, "Decoupled Weight Decay Regularization", Algorithm 2), in
 * PyTorch's form:
 *
 *   t ← t + 1
 *   θt−1 ← θt−1·(1 − α·λ)                    (decoupled decay, before the moments; λ = 0.01 by default)
 *   gt ← ∇θ ft(θt−1)                          (the raw gradient: no λ·θ here)
 *   mt ← β1·mt−1 + (1 − β1)·gt
 *   vt ← β2·vt−1 + (1 − β2)·gt²               (AMSGrad: v^max ← max(v^max, vt))
 *   m̂t ← mt / (1 − β1ᵗ);  v̂t ← vt / (1 − β2ᵗ)
 *   θt ← θt−1 − α·m̂t / (√v̂t + ε)
 *
 * Convention notes: the paper writes the decay as η_t·λ·θ with a schedule multiplier η_t separate
 * from α; PyTorch (and ndgrad) use the group's current lr, so θ·(1 − lr·λ), which makes the decay
 * follow any lr schedule. With Adam's weightDecay the penalty enters g and is then rescaled by
 * 1/√v̂, which is what decoupling avoids. The default weightDecay is 0.01, not 0.
 */
export class AdamW extends Adam {
  protected readonly decoupledWeightDecay: boolean = true;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { ...options, weightDecay: options.weightDecay ?? 0.01 });
  }
}
