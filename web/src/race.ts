// The 2-D race: each optimizer steps a point (x, y) on a surface with the plain zeroGrad/forward/backward/step loop, and every step is kept.

import { Generator, noGrad, optim, tensor, type Tensor } from "../../src/browser.ts";
import type { Surface } from "./surfaces.ts";

/** Beyond this distance from the origin a racer has diverged and stops. */
export const BLOW_UP = 1e6;

/** An optimizer's state entry at one step: a number (a step count) or one value per coordinate [x, y]. */
export type StateValue = number | [number, number];

/** What one step did: the gradient it used, the optimizer's state after it (read from ndgrad), and Δθ. */
export interface StepRecord {
  g: [number, number];
  state: Record<string, StateValue>;
  delta: [number, number];
}

export interface RacerSetup {
  /** Registry name. */
  name: string;
  /** Options passed to optim.create (lr included). */
  options: Record<string, unknown>;
}

export interface Noise {
  /** Standard deviation σ of the Gaussian added to each gradient coordinate: g ← ∇f + σ·ξ. */
  sigma: number;
  /** Every racer draws the same ξ sequence from this seed: the same noise for all. */
  seed: number;
}

/** One optimizer's run. points[t] is the position after t steps; steps[t − 1] is what step t did. */
export class Racer {
  readonly points: { x: number; y: number; f: number }[] = [];
  readonly steps: StepRecord[] = [];
  /** The step at which the point became non-finite or left the ±BLOW_UP box; null while it runs. */
  divergedAt: number | null = null;
  readonly optimizer: optim.Optimizer;
  private readonly x: Tensor;
  private readonly y: Tensor;
  private readonly noise: Generator;

  constructor(readonly surface: Surface, readonly setup: RacerSetup, start: [number, number], private readonly sigma: number, seed: number) {
    this.x = tensor([start[0]], { dtype: "float64", requiresGrad: true });
    this.y = tensor([start[1]], { dtype: "float64", requiresGrad: true });
    this.optimizer = optim.create(setup.name, [this.x, this.y], setup.options);
    this.noise = new Generator(seed);
    this.points.push({ x: start[0], y: start[1], f: this.value() });
  }

  get name(): string {
    return this.setup.name;
  }

  /** Steps taken so far. */
  get t(): number {
    return this.steps.length;
  }

  /** Takes steps until `t` steps are done or the point diverges. */
  advanceTo(t: number): void {
    while (this.steps.length < t && this.divergedAt === null) this.advance();
  }

  private advance(): void {
    const { x, y, optimizer } = this;
    const before: [number, number] = [x.item(), y.item()];
    let g: [number, number] = [0, 0];
    // PyTorch's closure form, so that L-BFGS (which evaluates f several times a step) runs too.
    optimizer.step(() => {
      optimizer.zeroGrad();
      const f = this.surface.f(x, y).sum();
      f.backward();
      // A typed-in f may not depend on x or y: that coordinate's gradient is 0, and it still takes its step.
      for (const p of [x, y]) p.grad ??= tensor([0], { dtype: "float64" });
      g = [x.grad!.item(), y.grad!.item()];
      if (this.sigma > 0) {
        g[0] += this.sigma * this.noise.normal();
        g[1] += this.sigma * this.noise.normal();
        x.grad = tensor([g[0]], { dtype: "float64" });
        y.grad = tensor([g[1]], { dtype: "float64" });
      }
      return f;
    });
    const after = { x: x.item(), y: y.item(), f: this.value() };
    this.steps.push({ g, state: this.readState(), delta: [after.x - before[0], after.y - before[1]] });
    this.points.push(after);
    if (!Number.isFinite(after.x) || !Number.isFinite(after.y) || !Number.isFinite(after.f) || Math.hypot(after.x, after.y) > BLOW_UP) {
      this.divergedAt = this.steps.length;
    }
  }

  private value(): number {
    return noGrad(() => this.surface.f(this.x, this.y).sum().item());
  }

  /** The optimizer's own per-parameter state for x and y, entry by entry (opt.state, as ndgrad keeps it). */
  private readState(): Record<string, StateValue> {
    const sx = this.optimizer.state.get(this.x) as Record<string, unknown> | undefined;
    const sy = this.optimizer.state.get(this.y) as Record<string, unknown> | undefined;
    const out: Record<string, StateValue> = {};
    if (sx === undefined || sy === undefined) return out;
    for (const [key, vx] of Object.entries(sx)) {
      const vy = sy[key];
      if (typeof vx === "number") out[key] = vx;
      else if (ArrayBuffer.isView(vx) && ArrayBuffer.isView(vy)) out[key] = [(vx as Float64Array)[0], (vy as Float64Array)[0]];
    }
    return out;
  }

  /** The first step whose point is within `tol` of the minimum, or null. */
  stepsToReach(minimum: [number, number] | null, tol: number): number | null {
    if (minimum === null) return null;
    const t = this.points.findIndex((p) => Math.hypot(p.x - minimum[0], p.y - minimum[1]) <= tol);
    return t < 0 ? null : t;
  }
}

/** Every racer on one surface from one start; the timeline is computed lazily as far as it is viewed. */
export class Race {
  readonly racers: Racer[];

  constructor(readonly surface: Surface, setups: RacerSetup[], readonly start: [number, number], noise: Noise) {
    this.racers = setups.map((s) => new Racer(surface, s, start, noise.sigma, noise.seed));
  }

  advanceTo(t: number): void {
    for (const r of this.racers) r.advanceTo(t);
  }
}
