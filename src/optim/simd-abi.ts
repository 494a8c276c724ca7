// What each optimizer and its SIMD twin (assembly/optim/<name>.ts) agree on: the flag bits and the
// fields of each twin's args record. Both tsc and AssemblyScript compile this file, so it holds
// enums and integer constants only.
//
// An args record is a row of f64 fields at the address a twin receives: buffers first (the byte
// address of element 0 of θ, of g and of each state buffer; 0 for an unused one), then the numbers.

/** Bytes reserved for one args record (32 fields); the twin's four-lane staging area follows it. */
export const ARGS_BYTES = 256;
/** The staging area after the record: 16 bytes for each buffer field (see assembly/optim/common.ts). */
export const STAGE_BYTES = 16 * 8;

/** Bits of the `flags` field, the same bit for the same switch in every optimizer. */
export enum Flag {
  maximize = 1,
  /** AdamW's decay of θ itself, instead of λ·θ added to g. */
  decoupled = 2,
  amsgrad = 4,
  nesterov = 8,
  centered = 16,
  /** The step that creates SGD's momentum buffer (b ← g). */
  first = 32,
}

export enum SGDArgs { theta, grad, momentumBuffer, lr, momentum, dampening, weightDecay, flags }

export enum AdagradArgs { theta, grad, sum, lr, weightDecay, eps, flags }

export enum AdadeltaArgs { theta, grad, squareAvg, accDelta, lr, rho, eps, weightDecay, flags }

export enum RMSpropArgs { theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, flags }

export enum AdamArgs { theta, grad, expAvg, expAvgSq, maxExpAvgSq, lr, beta1, beta2, eps, bc1, bc2, weightDecay, flags }

export enum AdamaxArgs { theta, grad, expAvg, expInf, lr, beta1, beta2, eps, bc1, weightDecay, flags }

export enum NAdamArgs { theta, grad, expAvg, expAvgSq, beta1, beta2, eps, bc2, cg, cm, weightDecay, flags }
