// The optimizer registry: optim.create("adam", params, options) by name, optim.register for your own, optim.available.

import { ASGD } from "./asgd.ts";
import { Adadelta } from "./adadelta.ts";
import { Adafactor } from "./adafactor.ts";
import { Adagrad } from "./adagrad.ts";
import { Adam } from "./adam.ts";
import { Adamax } from "./adamax.ts";
import { AdamW } from "./adamw.ts";
import { AdamWScheduleFree } from "./adamw-schedule-free.ts";
import { LBFGS } from "./lbfgs.ts";
import { Lion } from "./lion.ts";
import { Momentum } from "./momentum.ts";
import { Muon } from "./muon.ts";
import { NAdam } from "./nadam.ts";
import { NAG } from "./nag.ts";
import type { BaseOptions, Optimizer, ParamsInput } from "./optimizer.ts";
import { RAdam } from "./radam.ts";
import { RMSprop } from "./rmsprop.ts";
import { Rprop } from "./rprop.ts";
import { SGD } from "./sgd.ts";
import { describe } from "./validate.ts";

/** Anything constructible like the built-in optimizers: new Ctor(params, options). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OptimizerConstructor = new (params: ParamsInput<any>, options?: any) => Optimizer<BaseOptions, object>;

/** The built-in optimizers by registry name, in the order of the lineage (DESIGN.md); one line each. */
const BUILTINS = {
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
} satisfies Record<string, OptimizerConstructor>;

/** The options each built-in name accepts (read off its class's constructor). */
export type BuiltinOptions = {
  [N in keyof typeof BUILTINS]: (typeof BUILTINS)[N] extends new (params: never, options?: Partial<infer O>) => unknown ? O : never;
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
