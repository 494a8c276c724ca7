// SGD's SIMD twin (src/optim/sgd.ts holds the rule and the reference loop): momentum, dampening, Nesterov.

import { Flag, SGDArgs as A } from "../../src/optim/simd-abi";
import { arg, buffer, gradient, has, lanes, slot, stage, unstage } from "./common";

/** SGD.update's loop over the args record at `a` (see common.ts). */
export function sgdStep(a: usize, n: i32): void {
  const whole = n & ~3;
  sgd(a, whole, buffer(a, A.theta), buffer(a, A.grad), buffer(a, A.momentumBuffer));
  if (!stage(a, A.lr, whole, n)) return;
  sgd(a, 4, slot(a, A.theta), slot(a, A.grad), slot(a, A.momentumBuffer));
  unstage(a, A.lr, whole, n);
}

/** The loop of SGD.update, four float32 lanes at a time; without a momentum buffer (address 0), plain SGD. */
function sgd(a: usize, n: i32, θp: usize, gp: usize, bp: usize): void {
  const η = lanes(a, A.lr), μ = lanes(a, A.momentum), keep = f32x4.splat(<f32>(1 - arg(a, A.dampening))), λ = lanes(a, A.weightDecay);
  const maximize = has(a, A.flags, Flag.maximize), nesterov = has(a, A.flags, Flag.nesterov), first = has(a, A.flags, Flag.first);
  const l2 = arg(a, A.weightDecay) != 0;
  for (let o: usize = 0; o < <usize>n << 2; o += 16) {
    const θ = v128.load(θp + o);
    let g = gradient(v128.load(gp + o), θ, λ, l2, maximize);
    if (bp != 0) {
      const b = first ? g : f32x4.add(f32x4.mul(μ, v128.load(bp + o)), f32x4.mul(keep, g));
      v128.store(bp + o, b);
      g = nesterov ? f32x4.add(g, f32x4.mul(μ, b)) : b;
    }
    v128.store(θp + o, f32x4.sub(θ, f32x4.mul(η, g)));
  }
}
