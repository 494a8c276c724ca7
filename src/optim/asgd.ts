// ASGD: averaged stochastic gradient descent (Polyak & Juditsky), with PyTorch's decaying step size and its averaged parameters.

import { tensor, type FloatArray, type Tensor } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { checkBoolean, checkFinite, checkNonNegative } from "./validate.ts";

export interface ASGDOptions {
  /** η0, the initial step size (default 0.01). */
  lr: number;
  /** λ, the decay term: both the step-size decay and a shrinkage of θ (default 1e-4). */
  lambd: number;
  /** α, the power of the step-size decay (default 0.75). */
  alpha: number;
  /** t0, the step after which averaging starts (default 1e6). */
  t0: number;
  /** L2 penalty folded into the gradient (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface ASGDState {
  /** t, the number of steps this parameter has taken. */
  step: number;
  /** ηt, the step size the next step uses. */
  eta: number;
  /** μt, the averaging weight the next step uses (1 until averaging starts). */
  mu: number;
  /** θ̄, the averaged parameter. */
  ax: FloatArray;
}

/**
 * ASGD (Polyak & Juditsky, 1992, "Acceleration of Stochastic Approximation by Averaging"), with
 * the step-size schedule of Xu, 2011 ("Towards Optimal One Pass Large Scale Learning with Averaged
 * Stochastic Gradient Descent") and Bottou, 2012 ("Stochastic Gradient Descent Tricks"), as
 * PyTorch's ASGD:
 *
 *   η ← η0,  μ ← 1,  θ̄ ← 0                     (when the state is created)
 *   t ← t + 1
 *   g ← ∇θ f(θ) + wd·θ                          (weightDecay wd; −∇ if maximize)
 *   θ ← θ·(1 − λ·η)                             (the decay term)
 *   θ ← θ − η·g
 *   θ̄ ← θ  if μ = 1,  else θ̄ ← θ̄ + μ·(θ − θ̄)   (running average of the iterates since t0)
 *   η ← η0 / (1 + λ·η0·t)^α                     (for the next step)
 *   μ ← 1 / max(1, t − t0)                       (for the next step)
 *
 * The averaged θ̄ is the estimate Polyak & Juditsky prove optimal; evaluate with it
 * (`averagedParams()`), keep training θ.
 *
 * Convention notes: η and μ are computed at the end of a step and used by the next, as PyTorch
 * does: the first step uses η0, an lr change shows up one step later, and averaging starts at the
 * first step t with t − 1 − t0 > 1. Bottou writes the decay as η_t = η0·(1 + λ·η0·t)^(−α) too, but
 * starts averaging at t0 exactly. λ both shrinks θ and slows the step size, as in PyTorch.
 */
export class ASGD extends Optimizer<ASGDOptions, ASGDState> {
  protected readonly stateSpec = { step: "number", eta: "number", mu: "number", ax: "buffer" } as const;

  constructor(params: ParamsInput<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super(params, options, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false });
  }

  protected validate(o: ASGDOptions): void {
    checkNonNegative("lambd", o.lambd);
    checkFinite("alpha", o.alpha);
    checkFinite("t0", o.t0);
    checkNonNegative("weightDecay", o.weightDecay);
    checkBoolean("maximize", o.maximize);
  }

  protected initState(p: Tensor, group: ParamGroup<ASGDOptions>): ASGDState {
    return { step: 0, eta: group.lr, mu: 1, ax: stateBuffer(p) };
  }

  protected update(θ: FloatArray, offset: number, grad: FloatArray, n: number, s: ASGDState, group: ParamGroup<ASGDOptions>): void {
    const { lr: η0, lambd: λ, alpha: α, t0, weightDecay: wd, maximize } = group;
    const { eta: η, mu: μ, ax: θ̄ } = s;
    s.step += 1;
    const t = s.step;
    for (let i = 0; i < n; i++) {
      const g = gradient(grad[i], θ[offset + i], wd, maximize);
      θ[offset + i] *= 1 - λ * η;
      θ[offset + i] -= η * g;
      θ̄[i] = μ === 1 ? θ[offset + i] : θ̄[i] + μ * (θ[offset + i] - θ̄[i]);
    }
    s.eta = η0 / (1 + λ * η0 * t) ** α;
    s.mu = 1 / Math.max(1, t - t0);
  }

  /**
   * The averaged parameters θ̄ (copies, in the optimizer's parameter order, group by group), to
   * evaluate with: copy them into the model (or into a clone of it). A parameter that has not
   * taken a step yet is its own average.
   */
  averagedParams(): Tensor[] {
    return this.paramGroups.flatMap((group) =>
      group.params.map((p) => {
        const s = this.state.get(p);
        return tensor(s === undefined ? p.values().slice() : s.ax.slice(), { shape: p.shape });
      }),
    );
  }
}
