// The optimizer registry: optim.create("adam", params, options) by name, optim.register for your own, optim.available.

import { ASGD, type ASGDOptions } from "./asgd.ts";
import { Adadelta, type AdadeltaOptions } from "./adadelta.ts";
import { Adagrad, type AdagradOptions } from "./adagrad.ts";
import { Adafactor, type AdafactorOptions } from "./adafactor.ts";
import { Adam, type AdamOptions } from "./adam.ts";
import { Adamax, type AdamaxOptions } from "./adamax.ts";
import { AdamW } from "./adamw.ts";
import { AdamWScheduleFree, type AdamWScheduleFreeOptions } from "./adamw-schedule-free.ts";
import { LBFGS, type LBFGSOptions } from "./lbfgs.ts";
import { Lion, type LionOptions } from "./lion.ts";
import { Momentum } from "./momentum.ts";
import { Muon, type MuonOptions } from "./muon.ts";
import { NAdam, type NAdamOptions } from "./nadam.ts";
import { NAG } from "./nag.ts";
import type { BaseOptions, Optimizer, ParamsInput } from "./optimizer.ts";
import { RAdam, type RAdamOptions } from "./radam.ts";
import { RMSprop, type RMSpropOptions } from "./rmsprop.ts";
import { Rprop, type RpropOptions } from "./rprop.ts";
import { SGD, type SGDOptions } from "./sgd.ts";
import { describe } from "./validate.ts";

/** Anything constructible like the built-in optimizers: new Ctor(params, options). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OptimizerConstructor = new (params: ParamsInput<any>, options?: any) => Optimizer<BaseOptions, object>;

/** The options each built-in name accepts. */
export interface BuiltinOptions {
  sgd: SGDOptions;
  momentum: SGDOptions;
  nag: SGDOptions;
  adagrad: AdagradOptions;
  adadelta: AdadeltaOptions;
  rmsprop: RMSpropOptions;
  adam: AdamOptions;
  adamw: AdamOptions;
  adamax: AdamaxOptions;
  nadam: NAdamOptions;
  radam: RAdamOptions;
  rprop: RpropOptions;
  asgd: ASGDOptions;
  lbfgs: LBFGSOptions;
  lion: LionOptions;
  adafactor: AdafactorOptions;
  muon: MuonOptions;
  "adamw-schedulefree": AdamWScheduleFreeOptions;
}

const BUILTINS: Record<keyof BuiltinOptions, OptimizerConstructor> = {
  sgd: SGD,
  momentum: Momentum,
  nag: NAG,
  adagrad: Adagrad,
  adadelta: Adadelta,
  rmsprop: RMSprop,
  adam: Adam,
  adamw: AdamW,
  adamax: Adamax,
  nadam: NAdam,
  radam: RAdam,
  rprop: Rprop,
  asgd: ASGD,
  lbfgs: LBFGS,
  lion: Lion,
  adafactor: Adafactor,
  muon: Muon,
  "adamw-schedulefree": AdamWScheduleFree,
};

const registry = new Map<string, OptimizerConstructor>(Object.entries(BUILTINS));

const NAME = /^[a-z][a-z0-9_-]*$/;

/** Builds an optimizer by registry name (case-insensitive): create("nag", params, { lr: 0.01 }). */
export function create<N extends keyof BuiltinOptions>(name: N, params: ParamsInput<BuiltinOptions[N]>, options?: Partial<BuiltinOptions[N]>): Optimizer<BaseOptions, object>;
export function create(name: string, params: ParamsInput<BaseOptions>, options?: Record<string, unknown>): Optimizer<BaseOptions, object>;
export function create(name: string, params: ParamsInput<BaseOptions>, options: Record<string, unknown> = {}): Optimizer<BaseOptions, object> {
  if (typeof name !== "string") throw new TypeError(`optim.create: the name must be a string, got ${describe(name)} (valid: ${available().join(", ")})`);
  const Ctor = registry.get(name.toLowerCase());
  if (Ctor === undefined) throw new RangeError(`optim.create: unknown optimizer "${name}" (valid: ${available().join(", ")})`);
  return new Ctor(params, options);
}

/** Adds an optimizer class under a new lower-case name (letters, digits, - and _); built-in names cannot be replaced. */
export function register(name: string, ctor: OptimizerConstructor): void {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new RangeError(`optim.register: invalid name ${describe(name)} (use lower-case letters, digits, "-" or "_", starting with a letter)`);
  }
  if (typeof ctor !== "function") throw new TypeError(`optim.register: "${name}" needs an optimizer class, got ${describe(ctor)}`);
  if (registry.has(name)) throw new RangeError(`optim.register: "${name}" is already registered (taken: ${available().join(", ")})`);
  registry.set(name, ctor);
}

/** The registered names: the built-ins first, then the ones added with register(). */
export function available(): string[] {
  return [...registry.keys()];
}
