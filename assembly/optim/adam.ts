// Adam's SIMD twin (src/optim/adam.ts holds the rule and the reference loop), with AMSGrad and AdamW's decoupled decay.

import { AdamArgs as A, Flag } from "../../src/optim/simd-abi";
import { arg, at, buffer, done, gradient, has, lanes } from "./common";

/**
 * The loop of Adam.update, four float32 lanes at a time, each operation rounded to float32 (the
 * reference rounds once, at the store): f32 division and square root have several times the
 * throughput of f64's.
 */
export function adamStep(a: usize, n: i32): void {
  const θp = buffer(a, A.theta), gp = buffer(a, A.grad), mp = buffer(a, A.expAvg), vp = buffer(a, A.expAvgSq), vMaxp = buffer(a, A.maxExpAvgSq);
  const α = lanes(a, A.lr), λ = lanes(a, A.weightDecay), ε = lanes(a, A.eps);
  const β1 = lanes(a, A.beta1), c1 = f32x4.splat(<f32>(1 - arg(a, A.beta1)));
  const β2 = lanes(a, A.beta2), c2 = f32x4.splat(<f32>(1 - arg(a, A.beta2)));
  const bc1 = lanes(a, A.bc1), bc2 = lanes(a, A.bc2), shrink = f32x4.splat(<f32>(1 - arg(a, A.lr) * arg(a, A.weightDecay)));
  const maximize = has(a, A.flags, Flag.maximize), decoupled = has(a, A.flags, Flag.decoupled), amsgrad = has(a, A.flags, Flag.amsgrad);
  const l2 = !decoupled && arg(a, A.weightDecay) != 0;
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const rest = end - o;
    const pθ = at(a, θp, A.theta, o, rest), pg = at(a, gp, A.grad, o, rest), pm = at(a, mp, A.expAvg, o, rest);
    const pv = at(a, vp, A.expAvgSq, o, rest), pvMax = at(a, vMaxp, A.maxExpAvgSq, o, rest);
    let θ = v128.load(pθ);
    if (decoupled) θ = f32x4.mul(θ, shrink);
    const g = gradient(v128.load(pg), θ, λ, l2, maximize);
    const m = f32x4.add(f32x4.mul(β1, v128.load(pm)), f32x4.mul(c1, g));
    v128.store(pm, m);
    let v = f32x4.add(f32x4.mul(β2, v128.load(pv)), f32x4.mul(f32x4.mul(c2, g), g));
    v128.store(pv, v);
    if (amsgrad) {
      v = f32x4.max(v128.load(pvMax), v);
      v128.store(pvMax, v);
    }
    const mHat = f32x4.div(m, bc1);
    const vHat = f32x4.div(v, bc2);
    v128.store(pθ, f32x4.sub(θ, f32x4.div(f32x4.mul(α, mHat), f32x4.add(f32x4.sqrt(vHat), ε))));
    done(a, θp, A.theta, o, rest); done(a, mp, A.expAvg, o, rest); done(a, vp, A.expAvgSq, o, rest); done(a, vMaxp, A.maxExpAvgSq, o, rest);
  }
}
