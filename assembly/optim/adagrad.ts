// Adagrad's SIMD twin (src/optim/adagrad.ts holds the rule and the reference loop).

import { AdagradArgs as A, Flag } from "../../src/optim/simd-abi";
import { arg, at, buffer, done, gradient, has, lanes } from "./common";

/** The loop of Adagrad.update, four float32 lanes at a time; `lr` is the decayed η_t. */
export function adagradStep(a: usize, n: i32): void {
  const θp = buffer(a, A.theta), gp = buffer(a, A.grad), Gp = buffer(a, A.sum);
  const ηt = lanes(a, A.lr), λ = lanes(a, A.weightDecay), ε = lanes(a, A.eps);
  const maximize = has(a, A.flags, Flag.maximize), l2 = arg(a, A.weightDecay) != 0;
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const rest = end - o;
    const pθ = at(a, θp, A.theta, o, rest), pg = at(a, gp, A.grad, o, rest), pG = at(a, Gp, A.sum, o, rest);
    const θ = v128.load(pθ);
    const g = gradient(v128.load(pg), θ, λ, l2, maximize);
    const G = f32x4.add(v128.load(pG), f32x4.mul(g, g));
    v128.store(pG, G);
    v128.store(pθ, f32x4.sub(θ, f32x4.div(f32x4.mul(ηt, g), f32x4.add(f32x4.sqrt(G), ε))));
    done(a, θp, A.theta, o, rest); done(a, Gp, A.sum, o, rest);
  }
}
