// Adadelta's SIMD twin (src/optim/adadelta.ts holds the rule and the reference loop).

import { AdadeltaArgs as A, Flag } from "../../src/optim/simd-abi";
import { arg, buffer, gradient, has, lanes, slot, stage, unstage } from "./common";

/** Adadelta.update's loop over the args record at `a` (see common.ts). */
export function adadeltaStep(a: usize, n: i32): void {
  const whole = n & ~3;
  adadelta(a, whole, buffer(a, A.theta), buffer(a, A.grad), buffer(a, A.squareAvg), buffer(a, A.accDelta));
  if (!stage(a, A.lr, whole, n)) return;
  adadelta(a, 4, slot(a, A.theta), slot(a, A.grad), slot(a, A.squareAvg), slot(a, A.accDelta));
  unstage(a, A.lr, whole, n);
}

/** The loop of Adadelta.update, four float32 lanes at a time. */
function adadelta(a: usize, n: i32, θp: usize, gp: usize, Eg2p: usize, EΔ2p: usize): void {
  const η = lanes(a, A.lr), ρ = lanes(a, A.rho), c = f32x4.splat(<f32>(1 - arg(a, A.rho))), ε = lanes(a, A.eps), λ = lanes(a, A.weightDecay);
  const maximize = has(a, A.flags, Flag.maximize), l2 = arg(a, A.weightDecay) != 0;
  for (let o: usize = 0; o < <usize>n << 2; o += 16) {
    const θ = v128.load(θp + o);
    const g = gradient(v128.load(gp + o), θ, λ, l2, maximize);
    const Eg2 = f32x4.add(f32x4.mul(ρ, v128.load(Eg2p + o)), f32x4.mul(f32x4.mul(c, g), g));
    v128.store(Eg2p + o, Eg2);
    const EΔ2 = v128.load(EΔ2p + o);
    const Δ = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(EΔ2, ε)), f32x4.sqrt(f32x4.add(Eg2, ε))), g);
    v128.store(EΔ2p + o, f32x4.add(f32x4.mul(ρ, EΔ2), f32x4.mul(f32x4.mul(c, Δ), Δ)));
    v128.store(θp + o, f32x4.sub(θ, f32x4.mul(η, Δ)));
  }
}
