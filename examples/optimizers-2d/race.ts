// The race: one optimizer from the start point of a 2-D test function, with the plain zeroGrad/forward/backward/step loop.

import { noGrad, optim, tensor, type DType } from "../../src/index.ts";
import { DivergenceCheck } from "../../src/report/index.ts";
import type { TestFunction } from "./functions.ts";

/** Beyond this distance from the origin a run counts as diverged (or, on the saddle, as gone). */
export const BLOW_UP = 1e3;

export interface RunOptions {
  steps?: number;
  /** float64 by default: the race is about the update rules, not float32 rounding. */
  dtype?: DType;
  /** Keep every point (the chart and the animation need them; the lr search does not). */
  record?: boolean;
  /** Options passed to the optimizer besides lr (its defaults otherwise). */
  options?: Record<string, unknown>;
}

export interface Trajectory {
  optimizer: string;
  lr: number;
  /** Points 0 … n: the start, then the point after each step (recorded runs only; else just the last). */
  xs: number[];
  ys: number[];
  /** f at each recorded point. */
  values: number[];
  /** f − fMin at each step's point, always kept (the search scores it). */
  gaps: Float64Array;
  /** Steps taken: less than asked when the run blew up. */
  steps: number;
  /**
   * The step at which a coordinate became non-finite or left the ±BLOW_UP box, or (functions with a
   * minimum) at which f − f* began to stay above 10× its start (the races' DivergenceCheck); else null.
   */
  blownUpAt: number | null;
}

/** Runs `name` at `lr` on `fn` from its start point; stops early if the point blows up. */
export function runOptimizer(fn: TestFunction, name: string, lr: number, options: RunOptions = {}): Trajectory {
  const { steps = fn.steps, dtype = "float64", record = true } = options;
  const x = tensor([fn.start[0]], { dtype, requiresGrad: true });
  const y = tensor([fn.start[1]], { dtype, requiresGrad: true });
  x.name = "x";
  y.name = "y";
  const opt = optim.create(name, [x, y], { ...options.options, lr });
  const traj: Trajectory = { optimizer: name, lr, xs: [], ys: [], values: [], gaps: new Float64Array(steps + 1).fill(NaN), steps: 0, blownUpAt: null };

  const divergence = fn.minimum === null ? null : new DivergenceCheck();
  /** Records the point (px, py) of step t and f there; returns the step the run blew up at, or null. */
  const visit = (t: number, px: number, py: number, value: number): number | null => {
    traj.gaps[t] = value - fn.fMin;
    if (record || t === steps) {
      traj.xs.push(px);
      traj.ys.push(py);
      traj.values.push(value);
    }
    if (!(Number.isFinite(px) && Number.isFinite(py) && Number.isFinite(value) && Math.hypot(px, py) <= BLOW_UP)) return t;
    return divergence?.observe(t, value - fn.fMin) ?? null;
  };

  for (let t = 0; t < steps; t++) {
    const [px, py] = [x.item(), y.item()];
    // PyTorch's closure form: the step calls it for the loss and the gradients (L-BFGS calls it again) and returns f at (px, py).
    const value = opt.step(() => {
      opt.zeroGrad();
      const loss = fn.f(x, y).sum();
      loss.backward();
      return loss.item();
    })!;
    traj.blownUpAt = visit(t, px, py, value);
    if (traj.blownUpAt !== null) return keepLast(traj, px, py, value, record);
    traj.steps = t + 1;
  }
  traj.blownUpAt = visit(steps, x.item(), y.item(), noGrad(() => fn.f(x, y).sum().item()));
  return traj;
}

/** A run stopped early still reports where it ended. */
function keepLast(traj: Trajectory, px: number, py: number, value: number, record: boolean): Trajectory {
  if (!record) {
    traj.xs = [px];
    traj.ys = [py];
    traj.values = [value];
  }
  return traj;
}

export interface Outcome {
  optimizer: string;
  lr: number;
  /** First step whose point is within `tol` of the minimum (null: never); on the saddle, first step with |y| > ridgeThreshold. */
  stepsToTarget: number | null;
  /** Distance from the minimum at the end; on the saddle, |y| at the end. */
  finalDistance: number;
  finalValue: number;
  /** A minimum-seeking run whose point blew up, with the step; the saddle's runs leave by design and never count. */
  divergedAt: number | null;
}

/** The table row of a run: how fast it got within `tol` of the minimum (or off the saddle's ridge), where it ended. */
export function outcome(fn: TestFunction, traj: Trajectory, tol: number): Outcome {
  const n = traj.xs.length;
  const last = { x: traj.xs[n - 1], y: traj.ys[n - 1], f: traj.values[n - 1] };
  let stepsToTarget: number | null = null;
  for (let t = 0; t < n; t++) {
    const hit = fn.minimum === null
      ? Math.abs(traj.ys[t]) > (fn.ridgeThreshold ?? 0.1)
      : Math.hypot(traj.xs[t] - fn.minimum[0], traj.ys[t] - fn.minimum[1]) <= tol;
    if (hit) {
      stepsToTarget = t;
      break;
    }
  }
  const finalDistance = fn.minimum === null ? Math.abs(last.y) : Math.hypot(last.x - fn.minimum[0], last.y - fn.minimum[1]);
  return {
    optimizer: traj.optimizer,
    lr: traj.lr,
    stepsToTarget,
    finalDistance: Number.isFinite(finalDistance) ? finalDistance : Infinity,
    finalValue: last.f,
    divergedAt: fn.minimum === null ? null : traj.blownUpAt,
  };
}
