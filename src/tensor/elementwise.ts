// Elementwise arithmetic with broadcasting: add sub mul div neg pow exp log sqrt abs clamp.

import ops from "ndarray-ops";
import { sumToShape } from "./broadcast.ts";
import { broadcastBinary, checkTensor, mapValues, operands, zipValues, type Operand } from "./operand.ts";
import { fromArray, fromOp, type Tensor } from "./tensor.ts";
import { detach } from "./views.ts";

/** a + b. d/da = 1, d/db = 1. */
export function add(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("add", a, b);
  const [values, shape] = broadcastBinary("add", x, y, ops.add);
  return fromOp("add", values, shape, [x, y], (g) => [
    x.requiresGrad ? sumToShape(g, x.shape) : null,
    y.requiresGrad ? sumToShape(g, y.shape) : null,
  ], []);
}

/** a − b. d/da = 1, d/db = −1. */
export function sub(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("sub", a, b);
  const [values, shape] = broadcastBinary("sub", x, y, ops.sub);
  return fromOp("sub", values, shape, [x, y], (g) => [
    x.requiresGrad ? sumToShape(g, x.shape) : null,
    y.requiresGrad ? sumToShape(neg(g), y.shape) : null,
  ], []);
}

/** a · b. d/da = b, d/db = a. */
export function mul(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("mul", a, b);
  const [values, shape] = broadcastBinary("mul", x, y, ops.mul);
  return fromOp("mul", values, shape, [x, y], (g) => [
    x.requiresGrad ? sumToShape(mul(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(mul(g, x), y.shape) : null,
  ]);
}

/** a / b. d/da = 1/b, d/db = −a/b². */
export function div(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("div", a, b);
  const [values, shape] = broadcastBinary("div", x, y, ops.div);
  return fromOp("div", values, shape, [x, y], (g) => [
    x.requiresGrad ? sumToShape(div(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(neg(mul(g, div(x, mul(y, y)))), y.shape) : null,
  ]);
}

/** −x. */
export function neg(x: Tensor): Tensor {
  checkTensor("neg", x);
  return fromOp("neg", mapValues(x, (v) => -v), x.shape, [x], (g) => [neg(g)], []);
}

/** x^p for a number exponent p. d/dx = p·x^(p−1). */
export function pow(x: Tensor, exponent: number): Tensor {
  checkTensor("pow", x);
  if (typeof exponent !== "number") throw new TypeError(`pow: the exponent must be a number, got ${typeof exponent}`);
  const p = exponent;
  return fromOp("pow", mapValues(x, (v) => v ** p), x.shape, [x], (g) => [
    mul(g, p === 0 ? 0 : mul(pow(x, p - 1), p)),
  ]);
}

/** eˣ. d/dx = eˣ (the output itself). */
export function exp(x: Tensor): Tensor {
  checkTensor("exp", x);
  const out = fromOp("exp", mapValues(x, Math.exp), x.shape, [x], (g) => [mul(g, detach(out))], []);
  return out;
}

/** ln x (−Infinity at 0, NaN below, as PyTorch). d/dx = 1/x. */
export function log(x: Tensor): Tensor {
  checkTensor("log", x);
  return fromOp("log", mapValues(x, Math.log), x.shape, [x], (g) => [div(g, x)]);
}

/** √x. d/dx = 1/(2√x). */
export function sqrt(x: Tensor): Tensor {
  checkTensor("sqrt", x);
  const out = fromOp("sqrt", mapValues(x, Math.sqrt), x.shape, [x], (g) => [div(g, mul(detach(out), 2))], []);
  return out;
}

/** |x|. d/dx = sign(x) (0 at 0, as PyTorch). */
export function abs(x: Tensor): Tensor {
  checkTensor("abs", x);
  return fromOp("abs", mapValues(x, Math.abs), x.shape, [x], (g) => [
    fromArray(zipValues(g, x, (gv, v) => (v > 0 ? gv : v < 0 ? -gv : 0)), x.shape),
  ]);
}

/** Limits x to [min, max] (either may be omitted). The gradient passes where min ≤ x ≤ max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor("clamp", x);
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new RangeError(`clamp: min and max must not be NaN (got ${min}, ${max})`);
  if (min == null && max == null) throw new TypeError("clamp: give at least one of min and max");
  return fromOp("clamp", mapValues(x, (v) => (v < lo ? (lo > hi ? hi : lo) : v > hi ? hi : v)), x.shape, [x], (g) => [
    fromArray(zipValues(g, x, (gv, v) => (v >= lo && v <= hi ? gv : 0)), x.shape),
  ]);
}
