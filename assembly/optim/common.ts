// What every optimizer twin shares: reading its args record (src/optim/simd-abi.ts), the gradient
// prologue, and the staging of the last n % 4 elements so that one four-lane loop does them all.
//
// Each twin is an exported `<name>Step(a, n)` that calls its loop twice: over the first n − n % 4
// elements in place, then once more over the staged rest. The loop takes the buffers' addresses as
// parameters: read from the record inside the loop's own function, they made V8's code for the loop
// twice as slow.

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

/** Buffer field f's slot in the staging area after the record (four lanes), or 0 for an unused buffer. */
@inline export function slot(a: usize, f: i32): usize {
  return buffer(a, f) == 0 ? 0 : a + ARGS_BYTES + (<usize>f << 4);
}

/**
 * Copies elements [whole, n) (fewer than four) of each of the record's first `buffers` fields
 * (the buffers) into their slots, zero-padded; false when there is nothing left to do.
 */
export function stage(a: usize, buffers: i32, whole: i32, n: i32): bool {
  if (whole == n) return false;
  const o = <usize>whole << 2, bytes = <usize>(n - whole) << 2;
  for (let f = 0; f < buffers; f++) {
    if (buffer(a, f) == 0) continue;
    v128.store(slot(a, f), i32x4.splat(0));
    memory.copy(slot(a, f), buffer(a, f) + o, bytes);
  }
  return true;
}

/** Copies the staged elements back into the buffers (see `stage`). */
export function unstage(a: usize, buffers: i32, whole: i32, n: i32): void {
  const o = <usize>whole << 2, bytes = <usize>(n - whole) << 2;
  for (let f = 0; f < buffers; f++) if (buffer(a, f) != 0) memory.copy(buffer(a, f) + o, slot(a, f), bytes);
}
