// The optim package: the optimizers, their base class, the registry and the learning-rate schedulers.

export { Optimizer, gradient, stateBuffer, type BaseOptions, type ParamGroup, type ParamGroupInput, type ParamsInput, type OptimizerStateDict, type Loss, type OptionValue, type ParamState, type StateSpec } from "./optimizer.ts";
export { SGD, type SGDOptions, type SGDState } from "./sgd.ts";
export { Momentum } from "./momentum.ts";
export { NAG } from "./nag.ts";
export { Adagrad, type AdagradOptions, type AdagradState } from "./adagrad.ts";
export { Adadelta, type AdadeltaOptions, type AdadeltaState } from "./adadelta.ts";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./rmsprop.ts";
export { Adam, type AdamOptions, type AdamState } from "./adam.ts";
export { AdamW } from "./adamw.ts";
export { Adamax, type AdamaxOptions, type AdamaxState } from "./adamax.ts";
export { NAdam, type NAdamOptions, type NAdamState } from "./nadam.ts";
export { RAdam, type RAdamOptions, type RAdamState } from "./radam.ts";
export { Rprop, type RpropOptions, type RpropState } from "./rprop.ts";
export { ASGD, type ASGDOptions, type ASGDState } from "./asgd.ts";
export { LBFGS, type LBFGSOptions, type LBFGSState } from "./lbfgs.ts";
export { Lion, type LionOptions, type LionState } from "./lion.ts";
export { Adafactor, type AdafactorOptions, type AdafactorState } from "./adafactor.ts";
export { Muon, newtonSchulz, type MuonOptions, type MuonState } from "./muon.ts";
export { AdamWScheduleFree, type AdamWScheduleFreeOptions, type AdamWScheduleFreeState } from "./adamw-schedule-free.ts";
export { create, register, available, type OptimizerConstructor, type BuiltinOptions } from "./registry.ts";
export * as lrScheduler from "./lr-scheduler.ts";
