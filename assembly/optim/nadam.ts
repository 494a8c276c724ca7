// NAdam's SIMD twin (src/optim/nadam.ts holds the rule and the reference loop).

import { Flag, NAdamArgs as A } from "../../src/optim/simd-abi";
import { arg, buffer, gradient, has, lanes, slot, stage, unstage } from "./common";

/** NAdam.update's loop over the args record at `a` (see common.ts). */
export function nadamStep(a: usize, n: i32): void {
  const whole = n & ~3;
  nadam(a, whole, buffer(a, A.theta), buffer(a, A.grad), buffer(a, A.expAvg), buffer(a, A.expAvgSq));
  if (!stage(a, A.beta1, whole, n)) return;
  nadam(a, 4, slot(a, A.theta), slot(a, A.grad), slot(a, A.expAvg), slot(a, A.expAvgSq));
  unstage(a, A.beta1, whole, n);
}

/** The loop of NAdam.update, four float32 lanes at a time; cg and cm are the step's two coefficients. */
function nadam(a: usize, n: i32, θp: usize, gp: usize, mp: usize, vp: usize): void {
  const β1 = lanes(a, A.beta1), c1 = f32x4.splat(<f32>(1 - arg(a, A.beta1))), β2 = lanes(a, A.beta2), c2 = f32x4.splat(<f32>(1 - arg(a, A.beta2)));
  const ε = lanes(a, A.eps), bc2 = lanes(a, A.bc2), cg = lanes(a, A.cg), cm = lanes(a, A.cm), λ = lanes(a, A.weightDecay);
  const maximize = has(a, A.flags, Flag.maximize), l2 = arg(a, A.weightDecay) != 0;
  for (let o: usize = 0; o < <usize>n << 2; o += 16) {
    const θ = v128.load(θp + o);
    const g = gradient(v128.load(gp + o), θ, λ, l2, maximize);
    const m = f32x4.add(f32x4.mul(β1, v128.load(mp + o)), f32x4.mul(c1, g));
    v128.store(mp + o, m);
    const v = f32x4.add(f32x4.mul(β2, v128.load(vp + o)), f32x4.mul(f32x4.mul(c2, g), g));
    v128.store(vp + o, v);
    const denom = f32x4.add(f32x4.sqrt(f32x4.div(v, bc2)), ε);
    v128.store(θp + o, f32x4.sub(f32x4.sub(θ, f32x4.div(f32x4.mul(cg, g), denom)), f32x4.div(f32x4.mul(cm, m), denom)));
  }
}
