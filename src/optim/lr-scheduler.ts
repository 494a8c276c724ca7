// Learning-rate schedulers, as PyTorch's torch.optim.lr_scheduler: each writes group.lr, nothing else.

import { Optimizer, type BaseOptions } from "./optimizer.ts";
import { checkOptions } from "../tensor/describe.ts";
import { describe } from "./validate.ts";

/** Any optimizer: schedulers only read and write `lr` (and `initialLr`) of its groups. */
export type AnyOptimizer = Optimizer<BaseOptions, object>;

/** A JSON-friendly snapshot of a scheduler (its counters, base rates and options). */
export type SchedulerStateDict = Record<string, unknown>;

/** Python's floored modulo (JavaScript's % keeps the dividend's sign). */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function checkOptimizer(name: string, optimizer: unknown): asserts optimizer is AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${name}: the first argument must be an Optimizer, got ${describe(optimizer)}`);
}

function positiveInt(name: string, label: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new RangeError(`${name}: ${label} must be a positive integer, got ${describe(v)}`);
  return v;
}

function finite(name: string, label: string, v: unknown, check: (x: number) => boolean = () => true, range = ""): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) throw new RangeError(`${name}: ${label} must be a finite number${range}, got ${describe(v)}`);
  return v;
}

/**
 * The base of the epoch-indexed schedulers. As in PyTorch, constructing one records each group's
 * `initialLr` (unless an earlier scheduler did) and takes the initial step to epoch 0; after that,
 * call step() once per epoch, after the optimizer's steps. Each subclass gives PyTorch's
 * "chainable" rule (getLr, a factor on the group's current lr, so schedulers compose and manual
 * lr changes persist) and the closed form lr(epoch) from the base rates.
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** The lr of each group when the scheduler attached (group.initialLr). */
  baseLrs: number[];
  /** The number of step() calls so far, counting the initial one from 0: the current epoch. */
  lastEpoch = -1;
  protected lastLr: number[] = [];

  protected constructor(optimizer: AnyOptimizer) {
    checkOptimizer(new.target.name, optimizer);
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) if (group.initialLr === undefined) group.initialLr = group.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The lr of each group for epoch `lastEpoch`, from the current group.lr (PyTorch's get_lr). */
  protected abstract getLr(): number[];

  /** The lr of each group at `epoch` from the base rates alone (PyTorch's _get_closed_form_lr). */
  abstract closedForm(epoch: number): number[];

  /** Advances one epoch and writes the new lr into every group. */
  step(): void {
    this.lastEpoch += 1;
    this.apply(this.getLr());
  }

  /** Jumps to epoch 0 and sets the closed-form lr there (what SequentialLR does at a milestone). */
  restart(): void {
    this.lastEpoch = 0;
    this.apply(this.closedForm(0));
  }

  /** The lr of each group as last set by this scheduler. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): SchedulerStateDict {
    return ownState(this);
  }

  /** Restores counters, base rates and options from stateDict(); checks every entry first, changes nothing on error. */
  loadStateDict(sd: SchedulerStateDict): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (sd === null || typeof sd !== "object") throw new TypeError(`${name}: expected an object from stateDict(), got ${describe(sd)}`);
    const self = this as unknown as Record<string, unknown>;
    const updates: [string, unknown][] = [];
    for (const [key, value] of Object.entries(sd)) {
      if (!(key in self) || key === "optimizer") throw new RangeError(`${name}: unknown entry "${key}"`);
      const current = self[key];
      const loaded = value;
      const same = Array.isArray(current) ? Array.isArray(loaded) : typeof loaded === typeof current;
      if (!same) throw new TypeError(`${name}: "${key}" should be ${Array.isArray(current) ? "an array" : `a ${typeof current}`}, got ${describe(value)}`);
      if (Array.isArray(loaded) && (key === "baseLrs" || key === "lastLr") && loaded.length !== this.optimizer.paramGroups.length) {
        throw new RangeError(`${name}: "${key}" has ${loaded.length} entries, the optimizer has ${this.optimizer.paramGroups.length} parameter groups`);
      }
      updates.push([key, Array.isArray(loaded) ? loaded.slice() : loaded]);
    }
    for (const [key, value] of updates) self[key] = value;
  }

  protected apply(lrs: number[]): void {
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = lrs[i]));
    this.lastLr = lrs.slice();
  }

  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

export interface StepLROptions {
  /** Decay every `stepSize` epochs (required). */
  stepSize: number;
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
}

/** lr = base·γ^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    super(optimizer);
    options = checkOptions("StepLR", options, { stepSize: true, gamma: true });
    this.stepSize = positiveInt("StepLR", "stepSize", options.stepSize);
    this.gamma = finite("StepLR", "gamma", options.gamma ?? 0.1);
    this.step();
  }

  protected getLr(): number[] {
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  closedForm(epoch: number): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(epoch / this.stepSize));
  }
}

export interface MultiStepLROptions {
  /** Epochs at which to decay (a repeated milestone decays that many times). */
  milestones: number[];
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
}

/** lr = base·γ^(number of milestones ≤ epoch). */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    super(optimizer);
    options = checkOptions("MultiStepLR", options, { milestones: true, gamma: true });
    if (!Array.isArray(options.milestones) || options.milestones.some((m) => typeof m !== "number" || !Number.isInteger(m) || m < 0)) {
      throw new RangeError(`MultiStepLR: milestones must be an array of integers >= 0, got ${describe(options.milestones)}`);
    }
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = finite("MultiStepLR", "gamma", options.gamma ?? 0.1);
    this.step();
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = this.currentLrs();
    return hits === 0 ? lrs : lrs.map((lr) => lr * this.gamma ** hits);
  }

  closedForm(epoch: number): number[] {
    const passed = this.milestones.filter((m) => m <= epoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}

export interface ExponentialLROptions {
  /** Multiplicative factor per epoch (required). */
  gamma: number;
}

/** lr = base·γ^epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    super(optimizer);
    options = checkOptions("ExponentialLR", options, { gamma: true });
    this.gamma = finite("ExponentialLR", "gamma", options.gamma);
    this.step();
  }

  protected getLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }

  closedForm(epoch: number): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** epoch);
  }
}

export interface CosineAnnealingLROptions {
  /** Half-period T_max in epochs (required). */
  tMax: number;
  /** The lowest lr, η_min (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing (Loshchilov & Hutter, 2017, SGDR, without restarts):
 * lr = η_min + (base − η_min)·(1 + cos(π·epoch / T_max)) / 2, computed recursively as PyTorch does,
 * so that it composes with other changes to lr; past T_max it climbs back (a cosine, not a clamp).
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer);
    options = checkOptions("CosineAnnealingLR", options, { tMax: true, etaMin: true });
    this.tMax = positiveInt("CosineAnnealingLR", "tMax", options.tMax);
    this.etaMin = finite("CosineAnnealingLR", "etaMin", options.etaMin ?? 0, (x) => x >= 0, " >= 0");
    this.step();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin } = this;
    const lrs = this.currentLrs();
    if (t === 0) return lrs;
    // At t = T_max + 1 (mod 2·T_max) the ratio below would divide by 1 + cos(π) = 0; PyTorch adds the increment instead.
    if (mod(t - 1 - T, 2 * T) === 0) return lrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - etaMin) + etaMin);
  }

  closedForm(epoch: number): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2);
  }
}

export interface LinearLROptions {
  /** The factor at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** The factor from `totalIters` on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs to go from start to end (default 5). */
  totalIters?: number;
}

/** lr = base·(s + (e − s)·min(epoch, totalIters) / totalIters): a linear warm-up (or decay). */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    super(optimizer);
    options = checkOptions("LinearLR", options, { startFactor: true, endFactor: true, totalIters: true });
    this.startFactor = finite("LinearLR", "startFactor", options.startFactor ?? 1 / 3, (x) => x > 0 && x <= 1, " in (0, 1]");
    this.endFactor = finite("LinearLR", "endFactor", options.endFactor ?? 1, (x) => x >= 0 && x <= 1, " in [0, 1]");
    this.totalIters = positiveInt("LinearLR", "totalIters", options.totalIters ?? 5);
    this.step();
  }

  protected getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    const lrs = this.currentLrs();
    if (t === 0) return lrs.map((lr) => lr * s);
    if (t > n) return lrs;
    return lrs.map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  closedForm(epoch: number): number[] {
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(n, epoch)) / n));
  }
}

export interface SequentialLROptions {
  /** The schedulers to run one after another, all built on this optimizer. */
  schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over (one fewer than schedulers, increasing). */
  milestones: number[];
}

/**
 * Runs schedulers one after another: schedulers[i] from milestones[i − 1] on, restarted at epoch 0
 * there (with its closed-form lr at 0), as PyTorch's SequentialLR.
 */
export class SequentialLR extends LRScheduler {
  schedulers: LRScheduler[];
  milestones: number[];

  constructor(optimizer: AnyOptimizer, options: SequentialLROptions) {
    super(optimizer);
    options = checkOptions("SequentialLR", options, { schedulers: true, milestones: true });
    const { schedulers, milestones } = options;
    if (!Array.isArray(schedulers) || schedulers.length === 0 || !schedulers.every((s) => s instanceof LRScheduler)) {
      throw new TypeError(`SequentialLR: schedulers must be a non-empty array of schedulers, got ${describe(schedulers)}`);
    }
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new RangeError(`SequentialLR: scheduler ${i} (${s.constructor.name}) is attached to a different optimizer`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new RangeError(`SequentialLR: expects ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${describe(milestones)}`);
    }
    milestones.forEach((m, i) => {
      if (typeof m !== "number" || !Number.isInteger(m) || m <= 0 || (i > 0 && m <= milestones[i - 1])) {
        throw new RangeError(`SequentialLR: milestones must be increasing positive integers, got ${describe(milestones)}`);
      }
    });
    this.schedulers = schedulers.slice();
    this.milestones = milestones.slice();
    // Undo what each scheduler's constructor did, then take the first one's initial step only (as PyTorch).
    for (const group of optimizer.paramGroups) group.lr = group.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].step();
    this.lastEpoch = 0;
    this.lastLr = this.schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.restart();
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  protected getLr(): number[] {
    return this.currentLrs();
  }

  closedForm(epoch: number): number[] {
    const idx = this.milestones.filter((m) => m <= epoch).length;
    return this.schedulers[idx].closedForm(idx === 0 ? epoch : epoch - this.milestones[idx - 1]);
  }

  stateDict(): SchedulerStateDict {
    const { schedulers, ...rest } = super.stateDict();
    return { ...rest, schedulers: (schedulers as LRScheduler[]).map((s) => s.stateDict()) };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const { schedulers, ...rest } = sd;
    if (!Array.isArray(schedulers) || schedulers.length !== this.schedulers.length) {
      throw new RangeError(`SequentialLR.loadStateDict: expected ${this.schedulers.length} scheduler states, got ${describe(schedulers)}`);
    }
    // Validate everything before changing anything: load into snapshots, restore on failure.
    const before = [this.stateDict(), ...this.schedulers.map((s) => s.stateDict())];
    try {
      super.loadStateDict(rest);
      this.schedulers.forEach((s, i) => s.loadStateDict(schedulers[i] as SchedulerStateDict));
    } catch (e) {
      const { schedulers: _s, ...own } = before[0];
      super.loadStateDict(own);
      this.schedulers.forEach((s, i) => s.loadStateDict(before[i + 1]));
      throw e;
    }
  }
}

export interface ReduceLROnPlateauOptions {
  /** "min": lower metric is better (a loss); "max": higher is better (an accuracy). Default "min". */
  mode?: "min" | "max";
  /** lr ← lr·factor on a plateau; must be < 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better counts as better (default 1e-4). */
  threshold?: number;
  /** "rel": better than best·(1 ∓ threshold); "abs": better than best ∓ threshold. Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** A floor for lr: one number, or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces lr by `factor` once the metric has not improved for more than `patience` epochs, as
 * PyTorch's ReduceLROnPlateau. Call step(metric) once per epoch with the validation metric.
 */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  mode: "min" | "max";
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  cooldown: number;
  minLrs: number[];
  eps: number;
  /** The best metric so far (±Infinity before the first step; saved as null in JSON). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = "ReduceLROnPlateau";
    checkOptimizer(name, optimizer);
    options = checkOptions(name, options, { mode: true, factor: true, patience: true, threshold: true, thresholdMode: true, cooldown: true, minLr: true, eps: true });
    this.optimizer = optimizer;
    const mode = options.mode ?? "min";
    if (mode !== "min" && mode !== "max") throw new RangeError(`${name}: mode ${describe(mode)} is unknown (valid: min, max)`);
    this.mode = mode;
    const thresholdMode = options.thresholdMode ?? "rel";
    if (thresholdMode !== "rel" && thresholdMode !== "abs") throw new RangeError(`${name}: thresholdMode ${describe(thresholdMode)} is unknown (valid: rel, abs)`);
    this.thresholdMode = thresholdMode;
    this.factor = finite(name, "factor", options.factor ?? 0.1, (x) => x >= 0 && x < 1, " in [0, 1) (Factor should be < 1.0.)");
    const count = (label: string, v: unknown) => {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new RangeError(`${name}: ${label} must be an integer >= 0, got ${describe(v)}`);
      return v;
    };
    this.patience = count("patience", options.patience ?? 10);
    this.cooldown = count("cooldown", options.cooldown ?? 0);
    this.threshold = finite(name, "threshold", options.threshold ?? 1e-4, (x) => x >= 0, " >= 0");
    this.eps = finite(name, "eps", options.eps ?? 1e-8, (x) => x >= 0, " >= 0");
    const groups = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== groups) throw new RangeError(`${name}: expected ${groups} minLr values (one per parameter group), got ${minLr.length}`);
      this.minLrs = minLr.map((v) => finite(name, "minLr", v, (x) => x >= 0, " >= 0"));
    } else {
      this.minLrs = new Array<number>(groups).fill(finite(name, "minLr", minLr, (x) => x >= 0, " >= 0"));
    }
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records this epoch's metric and reduces lr when it has plateaued. */
  step(metric: number): void {
    if (typeof metric !== "number" || Number.isNaN(metric)) throw new TypeError(`ReduceLROnPlateau.step: the metric must be a number, got ${describe(metric)}`);
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduce();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  private reduce(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const newLr = Math.max(group.lr * this.factor, this.minLrs[i]);
      if (group.lr - newLr > this.eps) group.lr = newLr;
    });
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
  }

  private worst(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  stateDict(): SchedulerStateDict {
    return ownState(this);
  }

  /** Restores from stateDict() (a null `best`, as JSON writes ±Infinity, means no metric seen yet); changes nothing on error. */
  loadStateDict(sd: SchedulerStateDict): void {
    const name = "ReduceLROnPlateau.loadStateDict";
    if (sd === null || typeof sd !== "object") throw new TypeError(`${name}: expected an object from stateDict(), got ${describe(sd)}`);
    const self = this as unknown as Record<string, unknown>;
    const mode = sd.mode ?? this.mode;
    const updates: [string, unknown][] = [];
    for (const [key, raw] of Object.entries(sd)) {
      if (!(key in self) || key === "optimizer") throw new RangeError(`${name}: unknown entry "${key}"`);
      const value = key === "best" && raw === null ? (mode === "min" ? Infinity : -Infinity) : raw;
      const current = self[key];
      const same = Array.isArray(current) ? Array.isArray(value) : typeof value === typeof current;
      if (!same) throw new TypeError(`${name}: "${key}" should be ${Array.isArray(current) ? "an array" : `a ${typeof current}`}, got ${describe(raw)}`);
      if ((key === "minLrs" || key === "lastLr") && (value as unknown[]).length !== this.optimizer.paramGroups.length) {
        throw new RangeError(`${name}: "${key}" has ${(value as unknown[]).length} entries, the optimizer has ${this.optimizer.paramGroups.length} parameter groups`);
      }
      updates.push([key, Array.isArray(value) ? value.slice() : value]);
    }
    for (const [key, value] of updates) self[key] = value;
  }
}

/** A scheduler's own fields (counters, base rates, options), without the optimizer it drives; arrays copied. */
function ownState(scheduler: object): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [key, value] of Object.entries(scheduler)) {
    if (key === "optimizer") continue;
    out[key] = Array.isArray(value) ? value.slice() : value;
  }
  return out;
}
