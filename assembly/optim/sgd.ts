// SGD's SIMD twin (src/optim/sgd.ts holds the rule and the reference loop): momentum, dampening, Nesterov.

import { Flag, SGDArgs as A } from "../../src/optim/simd-abi";
import { arg, at, buffer, done, gradient, has, lanes } from "./common";

/** The loop of SGD.update, four float32 lanes at a time; without a momentum buffer (address 0), plain SGD. */
export function sgdStep(a: usize, n: i32): void {
  const θp = buffer(a, A.theta), gp = buffer(a, A.grad), bp = buffer(a, A.momentumBuffer);
  const η = lanes(a, A.lr), μ = lanes(a, A.momentum), keep = f32x4.splat(<f32>(1 - arg(a, A.dampening))), λ = lanes(a, A.weightDecay);
  const maximize = has(a, A.flags, Flag.maximize), nesterov = has(a, A.flags, Flag.nesterov), first = has(a, A.flags, Flag.first);
  const l2 = arg(a, A.weightDecay) != 0;
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const rest = end - o;
    const pθ = at(a, θp, A.theta, o, rest), pg = at(a, gp, A.grad, o, rest), pb = at(a, bp, A.momentumBuffer, o, rest);
    const θ = v128.load(pθ);
    let g = gradient(v128.load(pg), θ, λ, l2, maximize);
    if (bp != 0) {
      const b = first ? g : f32x4.add(f32x4.mul(μ, v128.load(pb)), f32x4.mul(keep, g));
      v128.store(pb, b);
      g = nesterov ? f32x4.add(g, f32x4.mul(μ, b)) : b;
    }
    v128.store(pθ, f32x4.sub(θ, f32x4.mul(η, g)));
    done(a, θp, A.theta, o, rest); done(a, bp, A.momentumBuffer, o, rest);
  }
}
