// What every optimizer twin shares: reading its args record (src/optim/simd-abi.ts), the gradient
// prologue, and the staging of the last n % 4 elements so that one four-lane body does them all.

import { ARGS_BYTES } from "../../src/optim/simd-abi";

/** Field `f` of the args record at `a`. */
@inline export function arg(a: usize, f: i32): f64 {
  return load<f64>(a + (<usize>f << 3));
}

/** Field `f` of the args record at `a` as four f32 lanes. */
@inline export function lanes(a: usize, f: i32): v128 {
  return f32x4.splat(<f32>arg(a, f));
}

/** A buffer field: the byte address of the buffer's element 0 (0 for an unused buffer). */
@inline export function buffer(a: usize, f: i32): usize {
  return <usize>arg(a, f);
}

/** Whether `flag` (simd-abi.ts's Flag) is set in the flags field `f`. */
@inline export function has(a: usize, f: i32, flag: i32): bool {
  return (<i32>arg(a, f) & flag) != 0;
}

/** g ← −g if maximize, then g ← g + λ·θ if L2: `gradient` of src/optim/optimizer.ts, four lanes. */
@inline export function gradient(g: v128, θ: v128, λ: v128, l2: bool, maximize: bool): v128 {
  if (maximize) g = f32x4.neg(g);
  return l2 ? f32x4.add(g, f32x4.mul(λ, θ)) : g;
}

/**
 * Where the four lanes at byte offset `o` of buffer `p` (field `f`) are: in place, or, when fewer
 * than four elements are left (`rest` < 16 bytes), in field f's slot of the staging area after the
 * record, zero-padded. An unused buffer (p = 0) stays 0.
 */
@inline export function at(a: usize, p: usize, f: i32, o: usize, rest: usize): usize {
  if (rest >= 16 || p == 0) return p + o;
  const slot = a + ARGS_BYTES + (<usize>f << 4);
  v128.store(slot, i32x4.splat(0));
  memory.copy(slot, p + o, rest);
  return slot;
}

/** Copies a staged slot back into buffer `p` (see `at`); nothing when the lanes were in place. */
@inline export function done(a: usize, p: usize, f: i32, o: usize, rest: usize): void {
  if (rest < 16 && p != 0) memory.copy(p + o, a + ARGS_BYTES + (<usize>f << 4), rest);
}
