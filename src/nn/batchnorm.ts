// nn.BatchNorm1d and nn.BatchNorm2d: batch normalization layers with PyTorch's running statistics and state-dict keys.

import { fmt, ones, parameterZeros, zeros, type DType, type Tensor } from "../tensor/index.ts";
import { checkNormEps } from "../tensor/norm.ts";
import { checkOptions } from "../tensor/describe.ts";
import { batchNorm } from "./functional.ts";
import { constant } from "./init.ts";
import { Module } from "./module.ts";

export interface BatchNormModuleOptions {
  /** Added to the variance inside the square root (default 1e-5). */
  eps?: number;
  /** Weight of the newest batch in the running statistics (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight, starts at 1) and shift (bias, starts at 0) (default true). */
  affine?: boolean;
  /** Keep running_mean / running_var for eval mode (default true); without them eval uses the batch statistics. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * Normalizes each channel (dim 1) by the batch's statistics in training mode and by the running
 * ones in eval mode (model.eval()). The buffers are PyTorch's: running_mean, running_var and
 * num_batches_tracked, so state dicts are interchangeable.
 */
abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  /** The input ranks this layer takes, and how PyTorch names them in its error. */
  protected abstract readonly ranks: readonly number[];

  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super();
    const who = this.constructor.name;
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = "float32" } = checkOptions(who, options, { eps: true, momentum: true, affine: true, trackRunningStats: true, dtype: true });
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new RangeError(`${who}: numFeatures must be a positive integer, got ${numFeatures}`);
    checkNormEps(who, eps);
    if (momentum !== null && (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1))) throw new RangeError(`${who}: momentum must be in [0, 1] or null (cumulative average), got ${momentum}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.registerParameter("weight", affine ? constant(parameterZeros(who, [numFeatures], dtype), 1) : null);
    this.registerParameter("bias", affine ? parameterZeros(who, [numFeatures], dtype) : null);
    this.registerBuffer("running_mean", trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_var", trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer("num_batches_tracked", trackRunningStats ? zeros([], { dtype }) : null);
  }

  get runningMean(): Tensor | null {
    return this.running_mean;
  }

  get runningVar(): Tensor | null {
    return this.running_var;
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim)) {
      throw new RangeError(`${this.constructor.name}(${this.numFeatures}): expected ${this.ranks.map((r) => `${r}-D`).join(" or ")} input, got ${fmt(x.shape)}`);
    }
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(`${this.constructor.name}(${this.numFeatures}): expected ${this.numFeatures} channels (dim 1), got input ${fmt(x.shape)}`);
    }
    const tracking = this.training && this.num_batches_tracked !== null;
    const batches = tracking ? this.num_batches_tracked!.values() : null;
    // momentum null: the running statistics are the plain average of every batch so far.
    const factor = this.momentum ?? (batches === null ? 0 : 1 / (batches[0] + 1));
    const useRunning = !this.training || this.trackRunningStats;
    const y = batchNorm(x, useRunning ? this.running_mean : null, useRunning ? this.running_var : null, this.weight, this.bias, {
      training: this.training || this.running_mean === null,
      momentum: factor,
      eps: this.eps,
    });
    if (batches !== null) batches[0] += 1;
    return y;
  }

  extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum ?? "None"}, affine=${this.affine ? "True" : "False"}, track_running_stats=${this.trackRunningStats ? "True" : "False"}`;
  }
}

/** Batch norm over [N, C] or [N, C, L] (per feature C). */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
}

/** Batch norm over images [N, C, H, W] (per channel C). */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
}
