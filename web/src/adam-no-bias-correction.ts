// Adam without bias correction, registered by the page as "adam-no-bias-correction": the toggle that shows why m̂ and v̂ exist.

import { optim, type FloatArray, type Tensor } from "../../src/browser.ts";

interface Options {
  lr: number;
  betas: [number, number];
  eps: number;
}

interface State {
  step: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

/**
 * Kingma & Ba's Algorithm 1 with the two bias-correction lines removed:
 *
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − α·m / (√v + ε)
 *
 * With m₀ = v₀ = 0, step 1 has m = 0.1·g and √v ≈ 0.03·|g|: the ratio is about 3× too big, and then
 * the ratio m/√v stays off until β2ᵗ fades (thousands of steps for β2 = 0.999).
 */
export class AdamNoBiasCorrection extends optim.Optimizer<Options, State> {
  protected readonly stateSpec = { step: "number", expAvg: "buffer", expAvgSq: "buffer" } as const;

  constructor(params: optim.ParamsInput<Options>, options: Partial<Options> = {}) {
    super(params, options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 });
  }

  protected validate(o: Options): void {
    if (!(o.eps >= 0)) throw new RangeError(`Invalid epsilon value: ${o.eps} (must be >= 0)`);
    for (const b of o.betas) if (!(b >= 0 && b < 1)) throw new RangeError(`Invalid beta value: ${b} (must be in [0, 1))`);
  }

  protected initState(p: Tensor): State {
    const zeros = () => (p.dtype === "float64" ? new Float64Array(p.size) : new Float32Array(p.size));
    return { step: 0, expAvg: zeros(), expAvgSq: zeros() };
  }

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: State, group: optim.ParamGroup<Options>): void {
    const { lr: α, betas: [β1, β2], eps: ε } = group;
    s.step += 1;
    for (let i = 0; i < n; i++) {
      s.expAvg[i] = β1 * s.expAvg[i] + (1 - β1) * g[i];
      s.expAvgSq[i] = β2 * s.expAvgSq[i] + (1 - β2) * g[i] * g[i];
      θ[offset + i] -= (α * s.expAvg[i]) / (Math.sqrt(s.expAvgSq[i]) + ε);
    }
  }
}

/** The registry name the toggle adds next to Adam. */
export const NO_BIAS_CORRECTION = "adam-no-bias-correction";

if (!optim.available().includes(NO_BIAS_CORRECTION)) optim.register(NO_BIAS_CORRECTION, AdamNoBiasCorrection);
