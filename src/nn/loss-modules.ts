// Loss modules: CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss — the functional losses with their options checked and stored.

import type { Tensor } from "../tensor/index.ts";
import {
  binaryCrossEntropyWithLogits, crossEntropy, lossOptions, mseLoss, nllLoss,
  type CrossEntropyOptions, type LossOptions, type NllLossOptions, type Targets,
} from "./losses.ts";
import { Module } from "./module.ts";

export class CrossEntropyLoss extends Module {
  constructor(readonly options: CrossEntropyOptions = {}) {
    super();
    lossOptions("CrossEntropyLoss", options, "crossEntropy");
  }

  /** logits [N, C], targets: N class indices. */
  forward(logits: Tensor, targets: Targets): Tensor {
    return crossEntropy(logits, targets, this.options);
  }
}

export class NLLLoss extends Module {
  constructor(readonly options: NllLossOptions = {}) {
    super();
    lossOptions("NLLLoss", options, "nllLoss");
  }

  /** logProbs [N, C] (e.g. from LogSoftmax), targets: N class indices. */
  forward(logProbs: Tensor, targets: Targets): Tensor {
    return nllLoss(logProbs, targets, this.options);
  }
}

export class MSELoss extends Module {
  constructor(readonly options: LossOptions = {}) {
    super();
    lossOptions("MSELoss", options, "mseLoss");
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: LossOptions = {}) {
    super();
    lossOptions("BCEWithLogitsLoss", options, "binaryCrossEntropyWithLogits");
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.options);
  }
}
