// The learning-rate search: each optimizer gets its own lr per function, chosen by a small seeded search.

import { Generator } from "../../src/index.ts";
import type { TestFunction } from "./functions.ts";
import { runOptimizer, type RunOptions } from "./race.ts";

export interface SearchOptions {
  /** Seeds the log-uniform samples (the grid is fixed). */
  seed?: number;
  /** log10 of the lowest and highest lr tried. */
  range?: [number, number];
  /** Grid points per decade. */
  perDecade?: number;
  /** Extra log-uniform samples per optimizer and function, between the grid points. */
  samples?: number;
  run?: RunOptions;
}

export interface Candidate {
  lr: number;
  /** See scoreRun: lower is better; Infinity for a rejected (blown-up) run. */
  score: number;
}

export interface SearchResult {
  optimizer: string;
  lr: number;
  score: number;
  tried: Candidate[];
}

const DEFAULTS = { seed: 0, range: [-4, 1] as [number, number], perDecade: 2, samples: 3 };

/** Below this, f − fMin is rounding noise: a run that reaches it is as good as exact. */
const GAP_FLOOR = 1e-12;

/** The rule, in words, for the output (so a reader knows how the lrs were picked). */
export function describeSearch(options: SearchOptions = {}): string {
  const { seed, range, perDecade, samples } = { ...DEFAULTS, ...options };
  return `lr search: per optimizer and function, ${(range[1] - range[0]) * perDecade + 1} log-spaced lrs from 1e${range[0]} to 1e${range[1]} ` +
    `plus ${samples} log-uniform samples (seed ${seed}); each runs the full step budget from the start point; runs that blow up ` +
    `(NaN or |θ| > 1e3) are rejected; the score is, averaged over the steps, log10 of the worst f − f* from that step on ` +
    `(floored at 1e-12), so a run earns credit for getting close only once it stays close; the lowest score wins. ` +
    `The saddle has no minimum to score: each optimizer uses the lr it won on the quadratic, tuned for curvature as stiff as the saddle's.`;
}

/** The lrs tried for one optimizer on one function: the shared grid, then samples seeded by (seed, function, optimizer). */
export function candidateLrs(fnName: string, optimizer: string, options: SearchOptions = {}): number[] {
  const { seed, range, perDecade, samples } = { ...DEFAULTS, ...options };
  const grid: number[] = [];
  for (let k = 0; k <= (range[1] - range[0]) * perDecade; k++) grid.push(10 ** (range[0] + k / perDecade));
  // Each (function, optimizer) pair draws its own stream, so racing fewer optimizers does not change anyone's samples.
  const g = new Generator(seed * 1_000_003 + hash(`${fnName}/${optimizer}`));
  for (let k = 0; k < samples; k++) grid.push(10 ** (range[0] + (range[1] - range[0]) * g.random()));
  return grid.map((lr) => Number(lr.toPrecision(3)));
}

/**
 * The score of a run: at each step, the largest f − fMin from that step to the end (so a run that
 * gets close and later jumps away earns no credit for having been close), in log10, averaged
 * over the steps; Infinity if it blew up. Lower is better; speed and staying power both count.
 */
export function scoreRun(gaps: Float64Array, blownUp: boolean): number {
  if (blownUp) return Infinity;
  let worstToCome = GAP_FLOOR;
  let total = 0;
  for (let t = gaps.length - 1; t >= 0; t--) {
    worstToCome = Math.max(worstToCome, gaps[t]);
    total += Math.log10(worstToCome);
  }
  return total / gaps.length;
}

/** Tries every candidate lr of `optimizer` on `fn` and keeps the best-scoring one. */
export function searchLr(fn: TestFunction, optimizer: string, options: SearchOptions = {}): SearchResult {
  if (fn.minimum === null) throw new RangeError(`searchLr: ${fn.name} has no minimum to score; borrow the lr from a function that has one`);
  const tried: Candidate[] = candidateLrs(fn.name, optimizer, options).map((lr) => {
    const traj = runOptimizer(fn, optimizer, lr, { ...options.run, record: false });
    return { lr, score: scoreRun(traj.gaps, traj.blownUpAt !== null) };
  });
  // Ties (e.g. several lrs all reach the floor at once) go to the smaller lr, the safer choice.
  const best = tried.reduce((a, b) => (b.score < a.score || (b.score === a.score && b.lr < a.lr) ? b : a));
  if (!Number.isFinite(best.score)) throw new Error(`searchLr: every lr blew up for ${optimizer} on ${fn.name} (tried ${tried.map((c) => c.lr).join(", ")})`);
  return { optimizer, lr: best.lr, score: best.score, tried };
}

/** FNV-1a: a stable 32-bit hash of a string. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
