// Adadelta's SIMD twin (src/optim/adadelta.ts holds the rule and the reference loop).

import { AdadeltaArgs as A, Flag } from "../../src/optim/simd-abi";
import { arg, at, buffer, done, gradient, has, lanes } from "./common";

/** The loop of Adadelta.update, four float32 lanes at a time. */
export function adadeltaStep(a: usize, n: i32): void {
  const θp = buffer(a, A.theta), gp = buffer(a, A.grad), Eg2p = buffer(a, A.squareAvg), EΔ2p = buffer(a, A.accDelta);
  const η = lanes(a, A.lr), ρ = lanes(a, A.rho), c = f32x4.splat(<f32>(1 - arg(a, A.rho))), ε = lanes(a, A.eps), λ = lanes(a, A.weightDecay);
  const maximize = has(a, A.flags, Flag.maximize), l2 = arg(a, A.weightDecay) != 0;
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const rest = end - o;
    const pθ = at(a, θp, A.theta, o, rest), pg = at(a, gp, A.grad, o, rest);
    const pEg2 = at(a, Eg2p, A.squareAvg, o, rest), pEΔ2 = at(a, EΔ2p, A.accDelta, o, rest);
    const θ = v128.load(pθ);
    const g = gradient(v128.load(pg), θ, λ, l2, maximize);
    const Eg2 = f32x4.add(f32x4.mul(ρ, v128.load(pEg2)), f32x4.mul(f32x4.mul(c, g), g));
    v128.store(pEg2, Eg2);
    const EΔ2 = v128.load(pEΔ2);
    const Δ = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(EΔ2, ε)), f32x4.sqrt(f32x4.add(Eg2, ε))), g);
    v128.store(pEΔ2, f32x4.add(f32x4.mul(ρ, EΔ2), f32x4.mul(f32x4.mul(c, Δ), Δ)));
    v128.store(pθ, f32x4.sub(θ, f32x4.mul(η, Δ)));
    done(a, θp, A.theta, o, rest); done(a, Eg2p, A.squareAvg, o, rest); done(a, EΔ2p, A.accDelta, o, rest);
  }
}
