// Adagrad: per-coordinate learning rates from the running sum of squared gradients (Duchi et al.).

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { AdagradArgs } from "./simd-abi.ts";
import { flags, twin } from "./simd.ts";
import { checkBoolean, checkEps, checkNonNegative } from "./validate.ts";

export interface AdagradOptions {
  /** Learning rate η (default 0.01). */
  lr: number;
  /** Learning-rate decay: η_t = η / (1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty λ folded into the gradient (default 0). */
  weightDecay: number;
  /** The value G starts from (default 0). */
  initialAccumulatorValue: number;
  /** ε, added outside the square root (default 1e-10). */
  eps: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface AdagradState {
  /** t, the number of steps this parameter has taken. */
  step: number;
  /** G, the running sum of squared gradients. */
  sum: FloatArray;
}

/**
 * Adagrad (Duchi, Hazan & Singer, 2011, "Adaptive Subgradient Methods for Online Learning and
 * Stochastic Optimization"), diagonal form, as PyTorch's Adagrad:
 *
 *   t ← t + 1
 *   g ← ∇θ f(θ) + λ·θ                  (weightDecay λ; −∇ if maximize)
 *   η_t ← η / (1 + (t − 1)·lrDecay)     (so step 1 is undecayed)
 *   G ← G + g²                          (G starts at initialAccumulatorValue)
 *   θ ← θ − η_t·g / (√G + ε)
 *
 * Convention notes: ε sits outside the square root and defaults to 1e-10 (Keras puts it inside,
 * or uses 1e-7). The accumulator starts at `initialAccumulatorValue` (PyTorch 1.13's docstring says
 * 0, but its code and newer docs use the option). lrDecay is PyTorch's addition, not the paper's.
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  protected readonly stateSpec = { step: "number", sum: "buffer" } as const;

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: AdagradState, group: ParamGroup<AdagradOptions>): void {
    const { lr: η, lrDecay, weightDecay: λ, eps: ε, maximize } = group;
    s.step += 1;                                         // t ← t + 1
    const ηt = η / (1 + (s.step - 1) * lrDecay);         // η_t ← η / (1 + (t − 1)·lrDecay)
    const G = s.sum;
    if (twin("adagradStep", AdagradArgs, θ, offset, g, n, { sum: G, lr: ηt, weightDecay: λ, eps: ε, flags: flags({ maximize }) })) return;
    for (let i = 0; i < n; i++) {
      const θi = θ[offset + i];
      const gi = gradient(g[i], θi, λ, maximize);        // g ← ∇θ f(θ) + λ·θ
      const Gi = G[i] + gi * gi;                         // G ← G + g²
      G[i] = Gi;
      θ[offset + i] = θi - (ηt * gi) / (Math.sqrt(Gi) + ε); // θ ← θ − η_t·g / (√G + ε)
    }
  }

  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, options, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
  }

  protected validate(o: AdagradOptions): void {
    checkNonNegative("lrDecay", o.lrDecay);
    checkNonNegative("weightDecay", o.weightDecay);
    checkNonNegative("initialAccumulatorValue", o.initialAccumulatorValue);
    checkEps(o.eps);
    checkBoolean("maximize", o.maximize);
  }

  protected initState(p: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: stateBuffer(p).fill(group.initialAccumulatorValue) };
  }
}
