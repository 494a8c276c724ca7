// The strong-Wolfe line search of PyTorch's LBFGS (ported from minFunc / torch7's lswolfe.lua): bracketing, then zoom with cubic interpolation.

/** f and ∇f at θ + t·d; the line search never sees θ itself. */
export type LineObjective = (t: number, d: Float64Array) => { f: number; g: Float64Array };

export interface LineSearchResult {
  /** f at the accepted step. */
  f: number;
  /** ∇f at the accepted step. */
  g: Float64Array;
  /** The accepted step t. */
  t: number;
  /** How many times the objective was evaluated. */
  evals: number;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to
 * `bounds` (default: between x1 and x2); the middle of the bounds when the cubic has no minimizer.
 * (Nocedal & Wright, "Numerical Optimization", 2nd ed., eq. 3.59.)
 */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minPos, lo), hi);
}

/**
 * Finds a step t along the descent direction d that satisfies the strong Wolfe conditions
 * (Nocedal & Wright, Algorithms 3.5 and 3.6):
 *
 *   f(θ + t·d) ≤ f(θ) + c1·t·∇f(θ)ᵀd            (sufficient decrease)
 *   |∇f(θ + t·d)ᵀd| ≤ c2·|∇f(θ)ᵀd|              (curvature)
 *
 * First it tries t and extrapolates (up to 10·t, by cubic interpolation) until an interval
 * brackets such a point; then it shrinks the bracket by cubic interpolation, keeping a trial at
 * least a tenth of the bracket away from its ends. At most `maxLs` evaluations after the first
 * trial; the bracket is abandoned when narrower than `toleranceChange` (times max|d|). Exactly
 * PyTorch's `_strong_wolfe`, branch for branch, so the evaluation counts match.
 *
 * @param f0 f(θ); @param g0 ∇f(θ); @param gtd0 ∇f(θ)ᵀd, negative.
 */
export function strongWolfe(obj: LineObjective, t: number, d: Float64Array, f0: number, g0: Float64Array, gtd0: number, c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25): LineSearchResult {
  const dNorm = maxAbs(d);
  let { f: fNew, g: gNew } = obj(t, d);
  let evals = 1;
  let gtdNew = dot(gNew, d);

  // Bracketing: an interval that contains a point satisfying the Wolfe conditions.
  let tPrev = 0;
  let fPrev = f0;
  let gPrev = g0;
  let gtdPrev = gtd0;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Float64Array[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f0 + c1 * t * gtd0 || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd0) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    ({ f: fNew, g: gNew } = obj(t, d));
    evals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  if (lsIter === maxLs) [bracket, bracketF, bracketG] = [[0, t], [f0, fNew], [g0, gNew]];

  // Zoom: shrink the bracket until a point satisfies the conditions.
  let insufficientProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // A trial too close to an end of the bracket makes little progress: move it a tenth inside.
    const bMax = Math.max(bracket[0], bracket[1]);
    const bMin = Math.min(bracket[0], bracket[1]);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufficientProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    ({ f: fNew, g: gNew } = obj(t, d));
    evals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
    if (fNew > f0 + c1 * t * gtd0 || fNew >= bracketF[low]) {
      // No sufficient decrease, or not below the low end: the trial becomes the high end.
      [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd0) {
        done = true;
      } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        // The old high end becomes the new low end.
        [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]];
      }
      [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return { f: bracketF[low], g: bracketG[low], t: bracket[low], evals };
}
