// NAdam's SIMD twin (src/optim/nadam.ts holds the rule and the reference loop).

import { Flag, NAdamArgs as A } from "../../src/optim/simd-abi";
import { arg, at, buffer, done, gradient, has, lanes } from "./common";

/** The loop of NAdam.update, four float32 lanes at a time; cg and cm are the step's two coefficients. */
export function nadamStep(a: usize, n: i32): void {
  const θp = buffer(a, A.theta), gp = buffer(a, A.grad), mp = buffer(a, A.expAvg), vp = buffer(a, A.expAvgSq);
  const β1 = lanes(a, A.beta1), c1 = f32x4.splat(<f32>(1 - arg(a, A.beta1))), β2 = lanes(a, A.beta2), c2 = f32x4.splat(<f32>(1 - arg(a, A.beta2)));
  const ε = lanes(a, A.eps), bc2 = lanes(a, A.bc2), cg = lanes(a, A.cg), cm = lanes(a, A.cm), λ = lanes(a, A.weightDecay);
  const maximize = has(a, A.flags, Flag.maximize), l2 = arg(a, A.weightDecay) != 0;
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const rest = end - o;
    const pθ = at(a, θp, A.theta, o, rest), pg = at(a, gp, A.grad, o, rest), pm = at(a, mp, A.expAvg, o, rest), pv = at(a, vp, A.expAvgSq, o, rest);
    const θ = v128.load(pθ);
    const g = gradient(v128.load(pg), θ, λ, l2, maximize);
    const m = f32x4.add(f32x4.mul(β1, v128.load(pm)), f32x4.mul(c1, g));
    v128.store(pm, m);
    const v = f32x4.add(f32x4.mul(β2, v128.load(pv)), f32x4.mul(f32x4.mul(c2, g), g));
    v128.store(pv, v);
    const denom = f32x4.add(f32x4.sqrt(f32x4.div(v, bc2)), ε);
    v128.store(pθ, f32x4.sub(f32x4.sub(θ, f32x4.div(f32x4.mul(cg, g), denom)), f32x4.div(f32x4.mul(cm, m), denom)));
    done(a, θp, A.theta, o, rest); done(a, mp, A.expAvg, o, rest); done(a, vp, A.expAvgSq, o, rest);
  }
}
