// RMSprop's SIMD twin (src/optim/rmsprop.ts holds the rule and the reference loop): plain, centered, with momentum.

import { Flag, RMSpropArgs as A } from "../../src/optim/simd-abi";
import { arg, buffer, gradient, has, lanes, slot, stage, unstage } from "./common";

/** RMSprop.update's loop over the args record at `a` (see common.ts). */
export function rmspropStep(a: usize, n: i32): void {
  const whole = n & ~3;
  rmsprop(a, whole, buffer(a, A.theta), buffer(a, A.grad), buffer(a, A.squareAvg), buffer(a, A.gradAvg), buffer(a, A.momentumBuffer));
  if (!stage(a, A.lr, whole, n)) return;
  rmsprop(a, 4, slot(a, A.theta), slot(a, A.grad), slot(a, A.squareAvg), slot(a, A.gradAvg), slot(a, A.momentumBuffer));
  unstage(a, A.lr, whole, n);
}

/** The loop of RMSprop.update, four float32 lanes at a time; without a momentum buffer (address 0), no momentum. */
function rmsprop(a: usize, n: i32, θp: usize, gp: usize, vp: usize, ḡp: usize, bp: usize): void {
  const η = lanes(a, A.lr), α = lanes(a, A.alpha), c = f32x4.splat(<f32>(1 - arg(a, A.alpha))), ε = lanes(a, A.eps);
  const λ = lanes(a, A.weightDecay), μ = lanes(a, A.momentum), zero = f32x4.splat(0);
  const maximize = has(a, A.flags, Flag.maximize), centered = has(a, A.flags, Flag.centered), l2 = arg(a, A.weightDecay) != 0;
  for (let o: usize = 0; o < <usize>n << 2; o += 16) {
    const θ = v128.load(θp + o);
    const g = gradient(v128.load(gp + o), θ, λ, l2, maximize);
    const v = f32x4.add(f32x4.mul(α, v128.load(vp + o)), f32x4.mul(f32x4.mul(c, g), g));
    v128.store(vp + o, v);
    let denom: v128;
    if (centered) {
      const ḡ = f32x4.add(f32x4.mul(α, v128.load(ḡp + o)), f32x4.mul(c, g));
      v128.store(ḡp + o, ḡ);
      denom = f32x4.add(f32x4.sqrt(f32x4.max(f32x4.sub(v, f32x4.mul(ḡ, ḡ)), zero)), ε);
    } else {
      denom = f32x4.add(f32x4.sqrt(v), ε);
    }
    if (bp != 0) {
      const b = f32x4.add(f32x4.mul(μ, v128.load(bp + o)), f32x4.div(g, denom));
      v128.store(bp + o, b);
      v128.store(θp + o, f32x4.sub(θ, f32x4.mul(η, b)));
    } else {
      v128.store(θp + o, f32x4.sub(θ, f32x4.div(f32x4.mul(η, g), denom)));
    }
  }
}
