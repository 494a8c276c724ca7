// Adamax's SIMD twin (src/optim/adamax.ts holds the rule and the reference loop).

import { AdamaxArgs as A, Flag } from "../../src/optim/simd-abi";
import { arg, buffer, gradient, has, lanes, slot, stage, unstage } from "./common";

/** Adamax.update's loop over the args record at `a` (see common.ts). */
export function adamaxStep(a: usize, n: i32): void {
  const whole = n & ~3;
  adamax(a, whole, buffer(a, A.theta), buffer(a, A.grad), buffer(a, A.expAvg), buffer(a, A.expInf));
  if (!stage(a, A.lr, whole, n)) return;
  adamax(a, 4, slot(a, A.theta), slot(a, A.grad), slot(a, A.expAvg), slot(a, A.expInf));
  unstage(a, A.lr, whole, n);
}

/** The loop of Adamax.update, four float32 lanes at a time. */
function adamax(a: usize, n: i32, θp: usize, gp: usize, mp: usize, up: usize): void {
  const αt = f32x4.splat(<f32>(arg(a, A.lr) / arg(a, A.bc1))), λ = lanes(a, A.weightDecay), ε = lanes(a, A.eps);
  const β1 = lanes(a, A.beta1), c1 = f32x4.splat(<f32>(1 - arg(a, A.beta1))), β2 = lanes(a, A.beta2);
  const maximize = has(a, A.flags, Flag.maximize), l2 = arg(a, A.weightDecay) != 0;
  for (let o: usize = 0; o < <usize>n << 2; o += 16) {
    const θ = v128.load(θp + o);
    const g = gradient(v128.load(gp + o), θ, λ, l2, maximize);
    const m = f32x4.add(f32x4.mul(β1, v128.load(mp + o)), f32x4.mul(c1, g));
    v128.store(mp + o, m);
    const u = f32x4.max(f32x4.mul(β2, v128.load(up + o)), f32x4.add(f32x4.abs(g), ε));
    v128.store(up + o, u);
    v128.store(θp + o, f32x4.sub(θ, f32x4.div(f32x4.mul(αt, m), u)));
  }
}
