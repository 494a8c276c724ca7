// SGD: stochastic gradient descent with optional momentum, dampening, Nesterov and L2 weight decay (PyTorch's form).

import type { FloatArray } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { SGDArgs } from "./simd-abi.ts";
import { flags, twin } from "./simd.ts";
import { checkBoolean, checkFinite, checkInRange, checkNonNegative } from "./validate.ts";

export interface SGDOptions {
  /** Learning rate η (required). */
  lr: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum: number;
  /** Dampening τ of the gradient entering the buffer (default 0). */
  dampening: number;
  /** Nesterov momentum (default false); needs μ > 0 and τ = 0. */
  nesterov: boolean;
  /** L2 penalty λ folded into the gradient (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface SGDState {
  /** The velocity b; null until the first step with μ ≠ 0. */
  momentumBuffer: FloatArray | null;
}

/**
 * Stochastic gradient descent (Robbins & Monro, 1951) with momentum (Polyak, 1964) and Nesterov's
 * accelerated gradient (Nesterov, 1983; in the form of Sutskever et al., 2013), as PyTorch's SGD.
 *
 *   g ← ∇θ f(θ)                       (g ← −g if maximize)
 *   g ← g + λ·θ                        (weightDecay λ: L2 folded into the gradient)
 *   if μ ≠ 0:
 *     b ← g                            on the first step
 *     b ← μ·b + (1 − τ)·g              afterwards (momentum μ, dampening τ)
 *     g ← g + μ·b  if nesterov, else g ← b
 *   θ ← θ − η·g                        (lr η)
 *
 * Convention notes: the learning rate multiplies outside the velocity. Sutskever et al. (and many
 * lecture notes) put it inside, v ← μ·v + η·g, θ ← θ − v; the two agree for a fixed η and differ
 * when η changes mid-run (here a new η rescales the whole buffer at once). The buffer starts as the
 * first gradient, not zero, so step 1 is not damped. Nesterov's look-ahead is written, as in
 * PyTorch, in terms of the current gradient: g + μ·b rather than a gradient taken at θ − μ·v.
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  protected readonly stateSpec = { momentumBuffer: "buffer?" } as const;

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: SGDState, group: ParamGroup<SGDOptions>): void {
    const { lr: η, momentum: μ, dampening: τ, nesterov, weightDecay: λ, maximize } = group;
    // The buffer appears on the first step with μ ≠ 0, which may come after steps without momentum.
    const first = μ !== 0 && s.momentumBuffer === null;
    if (first) s.momentumBuffer = stateBuffer(θ, n);
    const b = μ !== 0 ? s.momentumBuffer : null;
    const args = { momentumBuffer: b, lr: η, momentum: μ, dampening: τ, weightDecay: λ, flags: flags({ maximize, nesterov, first }) };
    if (twin("sgdStep", SGDArgs, θ, offset, g, n, args)) return;
    for (let i = 0; i < n; i++) {
      const θi = θ[offset + i];
      let gi = gradient(g[i], θi, λ, maximize);          // g ← ∇θ f(θ) + λ·θ
      if (b !== null) {
        const bi = first ? gi : μ * b[i] + (1 - τ) * gi; // b ← g on the first step, else b ← μ·b + (1 − τ)·g
        b[i] = bi;
        gi = nesterov ? gi + μ * bi : bi;                // g ← g + μ·b if nesterov, else g ← b
      }
      θ[offset + i] = θi - η * gi;                       // θ ← θ − η·g
    }
  }

  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, options, { lr: undefined, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false });
  }

  protected validate(o: SGDOptions): void {
    checkInRange("momentum", o.momentum, 0, 1);
    checkFinite("dampening", o.dampening);
    checkNonNegative("weightDecay", o.weightDecay);
    checkBoolean("nesterov", o.nesterov);
    checkBoolean("maximize", o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(`Nesterov momentum requires a momentum and zero dampening (got momentum ${o.momentum}, dampening ${o.dampening})`);
    }
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }
}
