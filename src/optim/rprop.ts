// Rprop: resilient backpropagation, per-element step sizes driven by the sign of the gradient (Riedmiller & Braun), as PyTorch.

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { checkBoolean, describe } from "./validate.ts";

export interface RpropOptions {
  /** Δ0, the initial step size of every element (default 0.01); read only when a parameter's state is created. */
  lr: number;
  /** [η−, η+]: the factors a step size is multiplied by when the gradient's sign flips / persists (default [0.5, 1.2]). */
  etas: [number, number];
  /** [Δmin, Δmax]: the range step sizes are clamped to (default [1e-6, 50]). */
  stepSizes: [number, number];
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface RpropState {
  step: number;
  /** g_{t−1}, the previous gradient (0 where its sign flipped). */
  prev: FloatArray;
  /** Δ, the per-element step sizes. */
  stepSize: FloatArray;
}

/**
 * Rprop (Riedmiller & Braun, 1993, "A Direct Adaptive Method for Faster Backpropagation Learning:
 * The RPROP Algorithm"), in PyTorch's form, element by element:
 *
 *   Δ ← Δ0 = lr,  g_prev ← 0                 (when the state is created)
 *   g ← ∇θ f(θ)                               (−∇ if maximize)
 *   if g·g_prev > 0:  Δ ← min(Δ·η+, Δmax)      (same sign: accelerate)
 *   if g·g_prev < 0:  Δ ← max(Δ·η−, Δmin);  g ← 0   (sign flipped: slow down, skip this move)
 *   if g·g_prev = 0:  Δ ← clamp(Δ, Δmin, Δmax)
 *   θ ← θ − sign(g)·Δ
 *   g_prev ← g
 *
 * Convention notes: the paper's Rprop also reverts the previous move where the sign flipped
 * ("weight-backtracking"); PyTorch does not (the variant later called Rprop− by Igel & Hüsken,
 * 2000), and ndgrad follows PyTorch. The paper starts at Δ0 = 0.1; PyTorch uses lr = 0.01, and the
 * lr is read only when a parameter's state is created, so changing it later has no effect. The
 * clamp applies on the first step too: an lr above Δmax is clamped at once. sign(0) = 0.
 */
export class Rprop extends Optimizer<RpropOptions, RpropState> {
  protected readonly stateSpec = { step: "number", prev: "buffer", stepSize: "buffer" } as const;

  constructor(params: ParamsInput<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super(params, options, { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false });
  }

  protected validate(o: RpropOptions): void {
    const { etas, stepSizes } = o;
    if (!isPair(etas) || !(0 < etas[0] && etas[0] < 1 && 1 < etas[1] && Number.isFinite(etas[1]))) {
      throw new RangeError(`Invalid eta values: ${isPair(etas) ? `${etas[0]}, ${etas[1]}` : describe(etas)} (must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)`);
    }
    if (!isPair(stepSizes) || !(0 <= stepSizes[0] && stepSizes[0] <= stepSizes[1] && Number.isFinite(stepSizes[1]))) {
      throw new RangeError(`Invalid step size values: ${isPair(stepSizes) ? `${stepSizes[0]}, ${stepSizes[1]}` : describe(stepSizes)} (must be [min, max] with 0 <= min <= max)`);
    }
    checkBoolean("maximize", o.maximize);
  }

  protected initState(p: Tensor, group: ParamGroup<RpropOptions>): RpropState {
    const stepSize = stateBuffer(p).fill(group.lr);
    return { step: 0, prev: stateBuffer(p), stepSize };
  }

  protected update(θ: FloatArray, offset: number, grad: FloatArray, n: number, s: RpropState, group: ParamGroup<RpropOptions>): void {
    const { etas: [ηMinus, ηPlus], stepSizes: [Δmin, Δmax], maximize } = group;
    const { prev: gPrev, stepSize: Δ } = s;
    s.step += 1;
    for (let i = 0; i < n; i++) {
      let g = maximize ? -grad[i] : grad[i];
      const direction = Math.sign(g * gPrev[i]);
      const factor = direction > 0 ? ηPlus : direction < 0 ? ηMinus : 1;
      Δ[i] = Math.min(Math.max(Δ[i] * factor, Δmin), Δmax);
      if (direction < 0) g = 0;
      θ[offset + i] -= Math.sign(g) * Δ[i];
      gPrev[i] = g;
    }
  }
}

function isPair(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === "number" && !Number.isNaN(x));
}
