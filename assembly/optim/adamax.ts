// Adamax's SIMD twin (src/optim/adamax.ts holds the rule and the reference loop).

import { AdamaxArgs as A, Flag } from "../../src/optim/simd-abi";
import { arg, at, buffer, done, gradient, has, lanes } from "./common";

/** The loop of Adamax.update, four float32 lanes at a time. */
export function adamaxStep(a: usize, n: i32): void {
  const θp = buffer(a, A.theta), gp = buffer(a, A.grad), mp = buffer(a, A.expAvg), up = buffer(a, A.expInf);
  const αt = f32x4.splat(<f32>(arg(a, A.lr) / arg(a, A.bc1))), λ = lanes(a, A.weightDecay), ε = lanes(a, A.eps);
  const β1 = lanes(a, A.beta1), c1 = f32x4.splat(<f32>(1 - arg(a, A.beta1))), β2 = lanes(a, A.beta2);
  const maximize = has(a, A.flags, Flag.maximize), l2 = arg(a, A.weightDecay) != 0;
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const rest = end - o;
    const pθ = at(a, θp, A.theta, o, rest), pg = at(a, gp, A.grad, o, rest), pm = at(a, mp, A.expAvg, o, rest), pu = at(a, up, A.expInf, o, rest);
    const θ = v128.load(pθ);
    const g = gradient(v128.load(pg), θ, λ, l2, maximize);
    const m = f32x4.add(f32x4.mul(β1, v128.load(pm)), f32x4.mul(c1, g));
    v128.store(pm, m);
    const u = f32x4.max(f32x4.mul(β2, v128.load(pu)), f32x4.add(f32x4.abs(g), ε));
    v128.store(pu, u);
    v128.store(pθ, f32x4.sub(θ, f32x4.div(f32x4.mul(αt, m), u)));
    done(a, θp, A.theta, o, rest); done(a, mp, A.expAvg, o, rest); done(a, up, A.expInf, o, rest);
  }
}
