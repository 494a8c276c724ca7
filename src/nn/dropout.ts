// Dropout: the functional op (inverted dropout, seeded mask) and nn.Dropout, which applies it in training mode only.

import { allocate, fromArray, Tensor } from "../tensor/index.ts";
import { fromOp } from "../tensor/tensor.ts";
import { defaultGenerator, type Generator } from "../tensor/rng.ts";
import { Module } from "./module.ts";
import { given } from "../tensor/index.ts";

/** Refuses a dropout probability outside [0, 1] (NaN included), quoting it. */
function checkDropoutP(p: number, who = "dropout"): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`${who}: p must be in [0, 1], got ${given(p)}`);
  return p;
}

/**
 * Inverted dropout (Srivastava et al., 2014, as PyTorch): in training each element is zeroed with
 * probability p and the survivors are scaled by 1/(1 − p), so eval needs no rescaling. The mask is
 * drawn from the seeded default generator (or `generator`). The identity when !training or p = 0.
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  checkDropoutP(p);
  if (!(x instanceof Tensor)) throw new TypeError(`dropout: input must be a Tensor, got ${typeof x}`);
  if (!training || p === 0) return x;
  const src = x.values();
  const keep = new Uint8Array(src.length);
  const out = allocate(x.dtype, src.length);
  // p = 1 drops everything; 1/(1 − p) would be Infinity and 0·Infinity NaN.
  const scale = p === 1 ? 0 : 1 / (1 - p);
  for (let i = 0; i < src.length; i++) {
    if (generator.random() >= p) {
      keep[i] = 1;
      out[i] = src[i] * scale;
    }
  }
  return fromOp("dropout", out, x.shape, [x], (g) => {
    const gv = g.values();
    const gx = allocate(x.dtype, gv.length);
    for (let i = 0; i < gv.length; i++) if (keep[i]) gx[i] = gv[i] * scale;
    return [fromArray(gx, x.shape)];
  });
}

export class Dropout extends Module {
  /** p: the probability of zeroing an element, in [0, 1] (default 0.5). */
  constructor(readonly p = 0.5) {
    super();
    checkDropoutP(p, "Dropout");
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  extraRepr(): string {
    return `p=${this.p}`;
  }
}
