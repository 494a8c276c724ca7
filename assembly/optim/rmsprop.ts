// RMSprop's SIMD twin (src/optim/rmsprop.ts holds the rule and the reference loop): plain, centered, with momentum.

import { Flag, RMSpropArgs as A } from "../../src/optim/simd-abi";
import { arg, at, buffer, done, gradient, has, lanes } from "./common";

/** The loop of RMSprop.update, four float32 lanes at a time; without a momentum buffer (address 0), no momentum. */
export function rmspropStep(a: usize, n: i32): void {
  const θp = buffer(a, A.theta), gp = buffer(a, A.grad), vp = buffer(a, A.squareAvg), ḡp = buffer(a, A.gradAvg), bp = buffer(a, A.momentumBuffer);
  const η = lanes(a, A.lr), α = lanes(a, A.alpha), c = f32x4.splat(<f32>(1 - arg(a, A.alpha))), ε = lanes(a, A.eps);
  const λ = lanes(a, A.weightDecay), μ = lanes(a, A.momentum), zero = f32x4.splat(0);
  const maximize = has(a, A.flags, Flag.maximize), centered = has(a, A.flags, Flag.centered), l2 = arg(a, A.weightDecay) != 0;
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const rest = end - o;
    const pθ = at(a, θp, A.theta, o, rest), pg = at(a, gp, A.grad, o, rest), pv = at(a, vp, A.squareAvg, o, rest);
    const pḡ = at(a, ḡp, A.gradAvg, o, rest), pb = at(a, bp, A.momentumBuffer, o, rest);
    const θ = v128.load(pθ);
    const g = gradient(v128.load(pg), θ, λ, l2, maximize);
    const v = f32x4.add(f32x4.mul(α, v128.load(pv)), f32x4.mul(f32x4.mul(c, g), g));
    v128.store(pv, v);
    let denom: v128;
    if (centered) {
      const ḡ = f32x4.add(f32x4.mul(α, v128.load(pḡ)), f32x4.mul(c, g));
      v128.store(pḡ, ḡ);
      denom = f32x4.add(f32x4.sqrt(f32x4.max(f32x4.sub(v, f32x4.mul(ḡ, ḡ)), zero)), ε);
    } else {
      denom = f32x4.add(f32x4.sqrt(v), ε);
    }
    if (bp != 0) {
      const b = f32x4.add(f32x4.mul(μ, v128.load(pb)), f32x4.div(g, denom));
      v128.store(pb, b);
      v128.store(pθ, f32x4.sub(θ, f32x4.mul(η, b)));
    } else {
      v128.store(pθ, f32x4.sub(θ, f32x4.div(f32x4.mul(η, g), denom)));
    }
    done(a, θp, A.theta, o, rest); done(a, vp, A.squareAvg, o, rest); done(a, ḡp, A.gradAvg, o, rest); done(a, bp, A.momentumBuffer, o, rest);
  }
}
