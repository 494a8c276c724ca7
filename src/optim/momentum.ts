// Momentum: SGD with Polyak's heavy-ball momentum on by default (μ = 0.9), the classic lecture-notes preset.

import { SGD, type SGDOptions } from "./sgd.ts";
import type { ParamsInput } from "./optimizer.ts";

/**
 * Gradient descent with momentum, the "heavy ball" (Polyak, 1964), as a named preset of SGD.
 *
 *   b ← g                     on the first step
 *   b ← μ·b + (1 − τ)·g       afterwards (μ = 0.9 by default, τ = 0)
 *   θ ← θ − η·b
 *
 * Convention notes: lecture notes often write v ← μ·v − η·g, θ ← θ + v, with η inside the velocity
 * and v starting at zero. Here, as in PyTorch, η multiplies outside the buffer and the buffer starts
 * at the first gradient; for a fixed η the trajectories are the same up to that first step's scale.
 * Every SGD option (dampening, weightDecay, maximize, even nesterov) is available.
 */
export class Momentum extends SGD {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, { ...options, momentum: options.momentum ?? 0.9 });
  }
}
