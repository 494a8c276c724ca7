// NAG: Nesterov's accelerated gradient, SGD with μ = 0.9 and nesterov on by default.

import { SGD, type SGDOptions } from "./sgd.ts";
import type { ParamsInput } from "./optimizer.ts";

/**
 * Nesterov's accelerated gradient (Nesterov, 1983), in the deep-learning form of Sutskever,
 * Martens, Dahl & Hinton (2013), as a named preset of SGD.
 *
 *   b ← g                     on the first step
 *   b ← μ·b + g               afterwards (μ = 0.9 by default)
 *   θ ← θ − η·(g + μ·b)
 *
 * Convention notes: Sutskever et al. evaluate the gradient at the look-ahead point θ + μ·v. PyTorch
 * (and ndgrad) rewrite the update in terms of the gradient at θ itself, which gives the same
 * sequence of look-ahead points; η sits outside the buffer, as in SGD. Dampening must stay 0.
 */
export class NAG extends SGD {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, { ...options, momentum: options.momentum ?? 0.9, nesterov: options.nesterov ?? true });
  }
}
