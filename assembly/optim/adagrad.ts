// Adagrad's SIMD twin (src/optim/adagrad.ts holds the rule and the reference loop).

import { AdagradArgs as A, Flag } from "../../src/optim/simd-abi";
import { arg, buffer, gradient, has, lanes, slot, stage, unstage } from "./common";

/** Adagrad.update's loop over the args record at `a` (see common.ts). */
export function adagradStep(a: usize, n: i32): void {
  const whole = n & ~3;
  adagrad(a, whole, buffer(a, A.theta), buffer(a, A.grad), buffer(a, A.sum));
  if (!stage(a, A.lr, whole, n)) return;
  adagrad(a, 4, slot(a, A.theta), slot(a, A.grad), slot(a, A.sum));
  unstage(a, A.lr, whole, n);
}

/** The loop of Adagrad.update, four float32 lanes at a time; `lr` is the decayed η_t. */
function adagrad(a: usize, n: i32, θp: usize, gp: usize, Gp: usize): void {
  const ηt = lanes(a, A.lr), λ = lanes(a, A.weightDecay), ε = lanes(a, A.eps);
  const maximize = has(a, A.flags, Flag.maximize), l2 = arg(a, A.weightDecay) != 0;
  for (let o: usize = 0; o < <usize>n << 2; o += 16) {
    const θ = v128.load(θp + o);
    const g = gradient(v128.load(gp + o), θ, λ, l2, maximize);
    const G = f32x4.add(v128.load(Gp + o), f32x4.mul(g, g));
    v128.store(Gp + o, G);
    v128.store(θp + o, f32x4.sub(θ, f32x4.div(f32x4.mul(ηt, g), f32x4.add(f32x4.sqrt(G), ε))));
  }
}
