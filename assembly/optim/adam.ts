// Adam's SIMD twin (src/optim/adam.ts holds the rule and the reference loop), with AMSGrad and AdamW's decoupled decay.

import { AdamArgs as A, Flag } from "../../src/optim/simd-abi";
import { arg, buffer, has, lanes, slot, stage, unstage } from "./common";

/** Adam.update's loop over the args record at `a` (see common.ts). */
export function adamStep(a: usize, n: i32): void {
  const whole = n & ~3;
  adam(a, whole, buffer(a, A.theta), buffer(a, A.grad), buffer(a, A.expAvg), buffer(a, A.expAvgSq), buffer(a, A.maxExpAvgSq));
  if (!stage(a, A.lr, whole, n)) return;
  adam(a, 4, slot(a, A.theta), slot(a, A.grad), slot(a, A.expAvg), slot(a, A.expAvgSq), slot(a, A.maxExpAvgSq));
  unstage(a, A.lr, whole, n);
}

/**
 * The loop of Adam.update, four float32 lanes at a time, each operation rounded to float32 (the
 * reference rounds once, at the store): f32 division and square root have several times the
 * throughput of f64's.
 */
function adam(a: usize, n: i32, θp: usize, gp: usize, mp: usize, vp: usize, vMaxp: usize): void {
  const α = lanes(a, A.lr), λ = lanes(a, A.weightDecay), ε = lanes(a, A.eps);
  const β1 = lanes(a, A.beta1), c1 = f32x4.splat(<f32>(1 - arg(a, A.beta1)));
  const β2 = lanes(a, A.beta2), c2 = f32x4.splat(<f32>(1 - arg(a, A.beta2)));
  const bc1 = lanes(a, A.bc1), bc2 = lanes(a, A.bc2), shrink = f32x4.splat(<f32>(1 - arg(a, A.lr) * arg(a, A.weightDecay)));
  const maximize = has(a, A.flags, Flag.maximize), decoupled = has(a, A.flags, Flag.decoupled), amsgrad = has(a, A.flags, Flag.amsgrad);
  const l2 = !decoupled && arg(a, A.weightDecay) != 0;
  for (let o: usize = 0; o < <usize>n << 2; o += 16) {
    // common.ts's gradient(), with AdamW's decay of θ in place of L2's λ·θ (as one if/else: computing
    // both and selecting made the loop 40% slower in V8).
    let θ = v128.load(θp + o), g = v128.load(gp + o);
    if (maximize) g = f32x4.neg(g);
    if (decoupled) θ = f32x4.mul(θ, shrink);
    else if (l2) g = f32x4.add(g, f32x4.mul(λ, θ));
    const m = f32x4.add(f32x4.mul(β1, v128.load(mp + o)), f32x4.mul(c1, g));
    v128.store(mp + o, m);
    let v = f32x4.add(f32x4.mul(β2, v128.load(vp + o)), f32x4.mul(f32x4.mul(c2, g), g));
    v128.store(vp + o, v);
    if (amsgrad) {
      v = f32x4.max(v128.load(vMaxp + o), v);
      v128.store(vMaxp + o, v);
    }
    const mHat = f32x4.div(m, bc1);
    const vHat = f32x4.div(v, bc2);
    v128.store(θp + o, f32x4.sub(θ, f32x4.div(f32x4.mul(α, mHat), f32x4.add(f32x4.sqrt(vHat), ε))));
  }
}
