// The nn package: Module and layers, losses, and the functional, init and utils namespaces.

export { Module, type LoadStateDictResult } from "./module.ts";
export { Linear, type LinearOptions } from "./linear.ts";
export { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax } from "./activation.ts";
export { Dropout } from "./dropout.ts";
export { Conv2d, type Conv2dModuleOptions } from "./conv.ts";
export { MaxPool2d, AvgPool2d } from "./pooling.ts";
export { BatchNorm1d, BatchNorm2d, type BatchNormModuleOptions } from "./batchnorm.ts";
export { LayerNorm, type LayerNormModuleOptions } from "./layernorm.ts";
export { Flatten, Unflatten } from "./flatten.ts";
export { Sequential } from "./sequential.ts";
export { CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss } from "./loss-modules.ts";
export type { Reduction, Targets, LossOptions, NllLossOptions, CrossEntropyOptions } from "./losses.ts";
export * as functional from "./functional.ts";
export * as init from "./init.ts";
export * as utils from "./utils.ts";
