// Reading a kernel's args record: i32 fields at byte address `a`, indexed by the enums of src/kernels/*-abi.ts.

/** Field `f` of the args record at `a`. */
@inline export function arg(a: usize, f: i32): i32 {
  return load<i32>(a + (<usize>f << 2));
}
