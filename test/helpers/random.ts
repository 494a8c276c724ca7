// Reproducible pseudo-random float32 arrays for the kernel tests (a seeded LCG: no global state).

/** n values uniform in [−scale, scale), the same for the same seed. */
export function randomFloat32(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}
