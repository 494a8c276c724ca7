// Schedule-free AdamW: no learning-rate schedule, an online average of the iterates instead (Defazio et al.), with train()/eval() weights.

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, stateBuffer, type Loss, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { checkBetas, checkEps, checkInteger, checkNonNegative } from "./validate.ts";

export interface AdamWScheduleFreeOptions {
  /** γ, the base learning rate (default 0.0025). */
  lr: number;
  /** [β1, β2]: β1 interpolates y between z and x, β2 is the decay of v (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε, added to √v (default 1e-8). */
  eps: number;
  /** λ, weight decay, applied at y inside the z step (default 0). */
  weightDecay: number;
  /** T_warmup, steps of linear warmup of γ (default 0: none). */
  warmupSteps: number;
}

export interface AdamWScheduleFreeState {
  step: number;
  /** Σ γi², the sum of squared step sizes so far (the averaging weights). */
  weightSum: number;
  /** z, the base sequence: plain AdamW-like steps. */
  z: FloatArray;
  /** x, the average of the z's: the weights to evaluate. */
  x: FloatArray;
  /** v, the second-moment estimate. */
  expAvgSq: FloatArray;
}

/**
 * Schedule-free AdamW (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, 2024, "The Road Less
 * Scheduled", Algorithm 1). Three sequences: z takes the steps, x averages them, and the gradient
 * is taken at y, between the two:
 *
 *   z1 = x1 = the initial parameters;  v0 = 0
 *   yt = (1 − β1)·zt + β1·xt                        (momentum via interpolation)
 *   gt ← ∇f(yt)                                     (the parameter holds yt while training)
 *   vt = β2·vt−1 + (1 − β2)·gt²
 *   γt = γ·√(1 − β2ᵗ)·min(1, t/T_warmup)             (warmup and Adam's bias correction)
 *   zt+1 = zt − γt·gt/(√vt + ε) − γt·λ·yt
 *   ct+1 = γt² / Σi≤t γi²
 *   xt+1 = (1 − ct+1)·xt + ct+1·zt+1                (weighted average of the z's)
 *
 * and then yt+1 from zt+1 and xt+1 goes into the parameter. `eval()` puts x (the weights to
 * evaluate and to keep) into the parameters, `train()` puts y back; step() needs train mode.
 *
 * Convention notes: this is the paper's algorithm. The authors' implementation (the
 * `schedulefree` package, AdamWScheduleFree) stores only y and z and recovers x from them, puts the
 * bias correction into v (g/(√(v/(1 − β2ᵗ)) + ε), so ε acts on another scale) and weights the
 * average by the largest lr so far (lr_max²) rather than γt²; with a constant lr and no warmup the
 * two differ only through ε. ndgrad keeps x explicitly (one more buffer, one line per line of the
 * paper). An lr changed mid-run enters γt at the next step. Like the authors' code, the train/eval
 * mode belongs to the optimizer and is not in the state dict (z, x, v and the step counts are):
 * save parameters and state in train mode, as a fresh optimizer starts in it.
 */
export class AdamWScheduleFree extends Optimizer<AdamWScheduleFreeOptions, AdamWScheduleFreeState> {
  protected readonly stateSpec = { step: "number", weightSum: "number", z: "buffer", x: "buffer", expAvgSq: "buffer" } as const;
  /** True while the parameters hold y (train mode), false while they hold x (eval mode). */
  training = true;

  constructor(params: ParamsInput<AdamWScheduleFreeOptions>, options: Partial<AdamWScheduleFreeOptions> = {}) {
    super(params, options, { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, warmupSteps: 0 });
  }

  protected validate(o: AdamWScheduleFreeOptions): void {
    checkBetas(o.betas);
    checkEps(o.eps);
    checkNonNegative("weightDecay", o.weightDecay);
    checkInteger("warmupSteps", o.warmupSteps, 0);
  }

  // z1 = x1 = θ;  v0 = 0
  protected initState(p: Tensor): AdamWScheduleFreeState {
    const z = stateBuffer(p);
    const x = stateBuffer(p);
    z.set(p.values());
    x.set(p.values());
    return { step: 0, weightSum: 0, z, x, expAvgSq: stateBuffer(p) };
  }

  override step<L extends Loss>(closure?: () => L): L | undefined {
    if (!this.training) throw new Error(`${this.name}.step: the optimizer is in eval mode (the parameters hold the averaged x); call train() before training`);
    return super.step(closure);
  }

  protected update(y: FloatArray, offset: number, g: FloatArray, n: number, s: AdamWScheduleFreeState, group: ParamGroup<AdamWScheduleFreeOptions>): void {
    const { lr: γ, betas: [β1, β2], eps: ε, weightDecay: λ, warmupSteps } = group;
    const { z, x, expAvgSq: v } = s;
    s.step += 1;
    const t = s.step;
    const γt = γ * Math.sqrt(1 - β2 ** t) * (warmupSteps > 0 ? Math.min(1, t / warmupSteps) : 1);
    s.weightSum += γt ** 2;
    const ct1 = γt ** 2 / s.weightSum;
    for (let i = 0; i < n; i++) {
      const yt = y[offset + i];
      v[i] = β2 * v[i] + (1 - β2) * g[i] * g[i];
      z[i] = z[i] - (γt * g[i]) / (Math.sqrt(v[i]) + ε) - γt * λ * yt;
      x[i] = (1 - ct1) * x[i] + ct1 * z[i];
      y[offset + i] = (1 - β1) * z[i] + β1 * x[i];
    }
  }

  /** Puts x, the averaged weights, into the parameters: evaluate (or save a model) in this mode. */
  eval(): void {
    if (!this.training) return;
    this.forEachState((θ, offset, s) => θ.set(s.x, offset));
    this.training = false;
  }

  /** Puts y = (1 − β1)·z + β1·x back into the parameters, to continue training. */
  train(): void {
    if (this.training) return;
    this.forEachState((θ, offset, s, [β1]) => {
      for (let i = 0; i < s.z.length; i++) θ[offset + i] = (1 - β1) * s.z[i] + β1 * s.x[i];
    });
    this.training = true;
  }

  private forEachState(fn: (θ: FloatArray, offset: number, s: AdamWScheduleFreeState, betas: [number, number]) => void): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s === undefined) continue;
        fn(p.data.data, p.data.offset, s, group.betas);
        p.bumpVersion();
      }
    }
  }
}
