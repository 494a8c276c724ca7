// RMSprop: divide the gradient by a running RMS of recent gradients (Hinton's lecture 6e), centered and momentum forms.

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { RMSpropArgs } from "./simd-abi.ts";
import { flags, twin } from "./simd.ts";
import { checkBoolean, checkEps, checkInRange, checkNonNegative } from "./validate.ts";

export interface RMSpropOptions {
  /** Learning rate η (default 0.01). */
  lr: number;
  /** Smoothing constant α of the running average of g² (default 0.99). */
  alpha: number;
  /** ε, added outside the square root (default 1e-8). */
  eps: number;
  /** L2 penalty λ folded into the gradient (default 0). */
  weightDecay: number;
  /** Momentum μ of the normalized step (default 0). */
  momentum: number;
  /** Normalize by an estimate of the variance instead of the raw second moment (default false). */
  centered: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface RMSpropState {
  step: number;
  /** v, the running average of g². */
  squareAvg: FloatArray;
  /** ḡ, the running average of g (centered form only). */
  gradAvg: FloatArray | null;
  /** b, the momentum buffer (momentum > 0 only). */
  momentumBuffer: FloatArray | null;
}

/**
 * RMSprop (Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e, 2012;
 * centered form from Graves, 2013), as PyTorch's RMSprop:
 *
 *   g ← ∇θ f(θ) + λ·θ                    (weightDecay λ; −∇ if maximize)
 *   v ← α·v + (1 − α)·g²
 *   if centered:  ḡ ← α·ḡ + (1 − α)·g;   denom ← √(v − ḡ²) + ε
 *   else:         denom ← √v + ε
 *   if μ > 0:     b ← μ·b + g / denom;   θ ← θ − η·b
 *   else:         θ ← θ − η·g / denom
 *
 * Convention notes: α is the smoothing constant (0.99), not the learning rate (the lecture calls
 * it 0.9). There is no bias correction, so early steps are large while v is still small. ε sits
 * outside the square root (TensorFlow puts it inside). With momentum, the buffer starts at zero and
 * holds normalized steps; η multiplies outside it, as in SGD.
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  protected readonly stateSpec = { step: "number", squareAvg: "buffer", gradAvg: "buffer?", momentumBuffer: "buffer?" } as const;

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: RMSpropState, group: ParamGroup<RMSpropOptions>): void {
    const { lr: η, alpha: α, eps: ε, weightDecay: λ, momentum: μ, centered, maximize } = group;
    s.step += 1;
    // centered or momentum may be switched on mid-run; their buffers then start from zero.
    if (centered && s.gradAvg === null) s.gradAvg = stateBuffer(θ, n);
    if (μ > 0 && s.momentumBuffer === null) s.momentumBuffer = stateBuffer(θ, n);
    const v = s.squareAvg, ḡ = centered ? s.gradAvg : null, b = μ > 0 ? s.momentumBuffer : null;
    const args = { squareAvg: v, gradAvg: ḡ, momentumBuffer: b, lr: η, alpha: α, eps: ε, weightDecay: λ, momentum: μ, flags: flags({ maximize, centered }) };
    if (twin("rmspropStep", RMSpropArgs, θ, offset, g, n, args)) return;
    for (let i = 0; i < n; i++) {
      const θi = θ[offset + i];
      const gi = gradient(g[i], θi, λ, maximize);        // g ← ∇θ f(θ) + λ·θ
      const vi = α * v[i] + (1 - α) * gi * gi;           // v ← α·v + (1 − α)·g²
      v[i] = vi;
      let denom: number;
      if (ḡ !== null) {
        const ḡi = α * ḡ[i] + (1 - α) * gi;              // ḡ ← α·ḡ + (1 − α)·g
        ḡ[i] = ḡi;
        // v − ḡ² is a variance, ≥ 0 in exact arithmetic; rounding must not turn it into NaN.
        denom = Math.sqrt(Math.max(vi - ḡi * ḡi, 0)) + ε; // denom ← √(v − ḡ²) + ε
      } else {
        denom = Math.sqrt(vi) + ε;                       // denom ← √v + ε
      }
      if (b !== null) {
        const bi = μ * b[i] + gi / denom;                // b ← μ·b + g / denom
        b[i] = bi;
        θ[offset + i] = θi - η * bi;                     // θ ← θ − η·b
      } else {
        θ[offset + i] = θi - (η * gi) / denom;           // θ ← θ − η·g / denom
      }
    }
  }

  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, options, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
  }

  protected validate(o: RMSpropOptions): void {
    // α = 1 would freeze v at 0 and α > 1 make (1 − α) negative: either way the step is g/ε and training blows up.
    checkInRange("alpha", o.alpha, 0, 1, true);
    checkEps(o.eps);
    checkNonNegative("weightDecay", o.weightDecay);
    checkInRange("momentum", o.momentum, 0, 1);
    checkBoolean("centered", o.centered);
    checkBoolean("maximize", o.maximize);
  }

  protected initState(p: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    return {
      step: 0,
      squareAvg: stateBuffer(p),
      gradAvg: group.centered ? stateBuffer(p) : null,
      momentumBuffer: group.momentum > 0 ? stateBuffer(p) : null,
    };
  }
}
