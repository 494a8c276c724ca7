// Lion: the sign of an interpolated momentum, with decoupled weight decay (Chen et al., found by program search).

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { checkBetas, checkNonNegative } from "./validate.ts";

export interface LionOptions {
  /** Learning rate η (default 1e-4: Lion's steps have size η in every element, so it wants a 3–10× smaller lr than AdamW). */
  lr: number;
  /** [β1, β2]: β1 interpolates the update direction, β2 is the momentum's decay (default [0.9, 0.99]). */
  betas: [number, number];
  /** λ, decoupled weight decay (default 0). */
  weightDecay: number;
}

export interface LionState {
  step: number;
  /** m, the momentum (an exponential moving average of gradients with decay β2). */
  expAvg: FloatArray;
}

/**
 * Lion, "EvoLved Sign Momentum" (Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu &
 * Le, 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2):
 *
 *   g ← ∇θ f(θ)
 *   c ← β1·m + (1 − β1)·g                      (interpolation: the update direction)
 *   θ ← θ − η·(sign(c) + λ·θ)                   (η_t: the current lr)
 *   m ← β2·m + (1 − β2)·g                      (the momentum, updated after c, with β2)
 *
 * Convention notes: the decay is decoupled and written θ ← θ·(1 − η·λ) first, then
 * θ ← θ − η·sign(c), as the authors' code and PyTorch-style implementations do (the same as the
 * paper's line up to rounding). Two betas: β1 for the direction, β2 (larger) for the memory, so the
 * update looks less far back than the momentum it keeps. sign(0) = 0. m starts at zero.
 */
export class Lion extends Optimizer<LionOptions, LionState> {
  protected readonly stateSpec = { step: "number", expAvg: "buffer" } as const;

  constructor(params: ParamsInput<LionOptions>, options: Partial<LionOptions> = {}) {
    super(params, options, { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0 });
  }

  protected validate(o: LionOptions): void {
    checkBetas(o.betas);
    checkNonNegative("weightDecay", o.weightDecay);
  }

  protected initState(p: Tensor): LionState {
    return { step: 0, expAvg: stateBuffer(p) };
  }

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: LionState, group: ParamGroup<LionOptions>): void {
    const { lr: η, betas: [β1, β2], weightDecay: λ } = group;
    const m = s.expAvg;
    s.step += 1;
    for (let i = 0; i < n; i++) {
      const c = β1 * m[i] + (1 - β1) * g[i];
      θ[offset + i] *= 1 - η * λ;
      θ[offset + i] -= η * Math.sign(c);
      m[i] = β2 * m[i] + (1 - β2) * g[i];
    }
  }
}
