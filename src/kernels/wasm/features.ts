// Feature detection of the WebAssembly runtime by validating tiny modules (never by version numbers).

/** A module whose one function returns f32x4.relaxed_madd of three zero vectors. */
const RELAXED_MADD_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // functions: one of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code: one body of 59 bytes, no locals
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]), // v128.const 0, three times
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0x0b, // end
]);

let relaxed: boolean | null = null;

/** Whether this runtime has relaxed SIMD (Node 22+, current Chrome; Node 20 with --experimental-wasm-relaxed-simd). */
export function hasRelaxedSimd(): boolean {
  return (relaxed ??= typeof WebAssembly === "object" && WebAssembly.validate(RELAXED_MADD_MODULE));
}
