// Adadelta: unit-corrected step sizes from running averages of squared gradients and updates (Zeiler).

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { AdadeltaArgs } from "./simd-abi.ts";
import { flags, twin } from "./simd.ts";
import { checkBoolean, checkEps, checkInRange, checkNonNegative } from "./validate.ts";

export interface AdadeltaOptions {
  /** A multiplier η on the computed update (default 1.0, which is the paper's method). */
  lr: number;
  /** Decay rate ρ of both running averages (default 0.9). */
  rho: number;
  /** ε, inside both square roots (default 1e-6). */
  eps: number;
  /** L2 penalty λ folded into the gradient (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface AdadeltaState {
  step: number;
  /** E[g²], the running average of squared gradients. */
  squareAvg: FloatArray;
  /** E[Δθ²], the running average of squared updates. */
  accDelta: FloatArray;
}

/**
 * Adadelta (Zeiler, 2012, "ADADELTA: An Adaptive Learning Rate Method", Algorithm 1), as PyTorch's:
 *
 *   g ← ∇θ f(θ) + λ·θ                           (weightDecay λ; −∇ if maximize)
 *   E[g²] ← ρ·E[g²] + (1 − ρ)·g²
 *   Δθ ← √(E[Δθ²] + ε) / √(E[g²] + ε) · g        (RMS[Δθ]_{t−1} / RMS[g]_t · g)
 *   E[Δθ²] ← ρ·E[Δθ²] + (1 − ρ)·Δθ²
 *   θ ← θ − η·Δθ
 *
 * Convention notes: the paper has no learning rate; PyTorch adds η as a plain multiplier applied
 * after E[Δθ²] has accumulated the unscaled Δθ, so η = 1.0 (the default) is the paper's method and
 * other values do not change the accumulated statistics. ε goes inside both square roots. The
 * default ρ is 0.9 (the paper's experiments use 0.95).
 */
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
  protected readonly stateSpec = { step: "number", squareAvg: "buffer", accDelta: "buffer" } as const;

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: AdadeltaState, group: ParamGroup<AdadeltaOptions>): void {
    const { lr: η, rho: ρ, eps: ε, weightDecay: λ, maximize } = group;
    s.step += 1;
    const { squareAvg: Eg2, accDelta: EΔ2 } = s;
    if (twin("adadeltaStep", AdadeltaArgs, θ, offset, g, n, { squareAvg: Eg2, accDelta: EΔ2, lr: η, rho: ρ, eps: ε, weightDecay: λ, flags: flags({ maximize }) })) return;
    for (let i = 0; i < n; i++) {
      const θi = θ[offset + i];
      const gi = gradient(g[i], θi, λ, maximize);        // g ← ∇θ f(θ) + λ·θ
      const Eg2i = ρ * Eg2[i] + (1 - ρ) * gi * gi;       // E[g²] ← ρ·E[g²] + (1 − ρ)·g²
      Eg2[i] = Eg2i;
      const Δ = (Math.sqrt(EΔ2[i] + ε) / Math.sqrt(Eg2i + ε)) * gi; // Δθ ← √(E[Δθ²] + ε) / √(E[g²] + ε) · g
      EΔ2[i] = ρ * EΔ2[i] + (1 - ρ) * Δ * Δ;            // E[Δθ²] ← ρ·E[Δθ²] + (1 − ρ)·Δθ²
      θ[offset + i] = θi - η * Δ;                        // θ ← θ − η·Δθ
    }
  }

  constructor(params: ParamsInput<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super(params, options, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false });
  }

  protected validate(o: AdadeltaOptions): void {
    checkInRange("rho", o.rho, 0, 1);
    checkEps(o.eps);
    checkNonNegative("weightDecay", o.weightDecay);
    checkBoolean("maximize", o.maximize);
  }

  protected initState(p: Tensor): AdadeltaState {
    return { step: 0, squareAvg: stateBuffer(p), accDelta: stateBuffer(p) };
  }
}
