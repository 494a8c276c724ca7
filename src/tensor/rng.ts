// The seeded random generator behind rand, randn, init and dropout: the same seed gives the same numbers everywhere.

import { given } from "./describe.ts";

/**
 * xoshiro128** (Blackman & Vigna, 2018) on 32-bit integers, seeded through splitmix32.
 * Pure integer arithmetic, so every machine and engine produces the same stream.
 */
export class Generator {
  private s = new Uint32Array(4);

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    if (typeof seed !== "number" || !Number.isFinite(seed)) throw new RangeError(`manualSeed: seed must be a finite number, got ${given(seed)}`);
    let x = Math.trunc(seed) >>> 0;
    let hi = Math.trunc(seed / 2 ** 32) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9 + hi) | 0;
      hi = 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
    return this;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by Box–Muller (one value per pair of uniforms: no hidden spare in the state). */
  normal(): number {
    const u1 = 1 - this.random();
    const u2 = this.random();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  getState(): number[] {
    return Array.from(this.s);
  }

  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new TypeError("Generator.setState: expected 4 unsigned 32-bit integers (from getState())");
    }
    this.s.set(state);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The default generator, as torch's: seeded by manualSeed, used when no generator is given. */
export const defaultGenerator = new Generator(0);

export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
