// Random chains of 2–5 differentiable ops (with broadcasting, matmul, views), each checked by gradcheck in float64.

import { describe, it } from "vitest";
import * as fc from "fast-check";
import { gradcheck, tensor, type Tensor } from "../src/index.ts";
import { broadcastShape, dimArb, runs, shapeArb, sizeOf, subBroadcastArb, valuesArb } from "./helpers/arbitraries.ts";

/** A constant operand the chain brings in (a leaf with requiresGrad, so gradcheck checks it too). */
interface Leaf {
  shape: number[];
  values: number[];
}

type Step =
  | { op: "exp"; scale: number }
  | { op: "tanh" | "sigmoid" }
  | { op: "add" | "mul"; other: Leaf; otherFirst: boolean }
  | { op: "softmax" | "logSoftmax"; dim: number }
  | { op: "sum"; dim: number; keepdim: boolean }
  | { op: "matmul"; other: Leaf; otherFirst: boolean }
  | { op: "transpose"; dim0: number; dim1: number }
  | { op: "reshape"; shape: number[] };

interface Chain {
  input: Leaf;
  steps: Step[];
}

/** Keeps every intermediate small, so that a chain costs little to finite-difference. */
const MAX_SIZE = 32;

/** What a step does to the shape, and a bound on |values| carried along so exp only sees small inputs. */
interface State {
  shape: number[];
  bound: number;
}

const leafArb = (shape: number[], range: number): fc.Arbitrary<Leaf> =>
  valuesArb(sizeOf(shape), "float64", { min: -range, max: range }).map((values) => ({ shape, values }));

function stepArb({ shape, bound }: State): fc.Arbitrary<[Step, State]> {
  const n = shape.length;
  const size = sizeOf(shape);
  const last = shape[n - 1];
  const options: fc.Arbitrary<[Step, State]>[] = [
    // exp of small values: the input is scaled into [−2, 2] first.
    fc.constant<[Step, State]>([{ op: "exp", scale: Math.min(1, 2 / bound) }, { shape, bound: Math.exp(2) }]),
    fc.constantFrom<"tanh" | "sigmoid">("tanh", "sigmoid").map((op): [Step, State] => [{ op }, { shape, bound: 1 }]),
    fc
      .tuple(fc.constantFrom<"add" | "mul">("add", "mul"), subBroadcastArb(shape), fc.boolean(), fc.boolean())
      .chain(([op, sub, extra, otherFirst]) => {
        const otherShape = extra && sub.length === n && size * 2 <= MAX_SIZE ? [2, ...sub] : sub;
        const range = op === "add" ? 1 : 1.5;
        const next = { shape: broadcastShape(shape, otherShape)!, bound: op === "add" ? bound + range : bound * range };
        return leafArb(otherShape, range).map((other): [Step, State] => [{ op, other, otherFirst }, next]);
      }),
    fc
      .tuple(fc.constantFrom<"softmax" | "logSoftmax">("softmax", "logSoftmax"), dimArb(n))
      .map(([op, dim]): [Step, State] => [{ op, dim }, { shape, bound: op === "softmax" ? 1 : 2 * bound + Math.log(size) }]),
    fc.constant<[Step, State]>([{ op: "reshape", shape: [size] }, { shape: [size], bound }]),
  ];
  if (n >= 1) {
    options.push(
      fc.tuple(dimArb(n), fc.boolean()).map(([dim, keepdim]): [Step, State] => {
        const d = dim < 0 ? dim + n : dim;
        const out = keepdim ? shape.map((s, i) => (i === d ? 1 : s)) : shape.filter((_, i) => i !== d);
        return [{ op: "sum", dim, keepdim }, { shape: out, bound: bound * shape[d] }];
      }),
      // x @ W with W of [K, N] or [K], the weights scaled so that |x @ W| stays about |x|.
      fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean()).chain(([cols, otherFirst]) => {
        if (otherFirst && n >= 2) {
          const rows = Math.max(1, Math.min(cols, Math.floor((MAX_SIZE * shape[n - 2]) / size)));
          const wShape = [rows, shape[n - 2]];
          const out = [...shape.slice(0, -2), rows, last];
          return leafArb(wShape, 1.5 / shape[n - 2]).map((other): [Step, State] => [{ op: "matmul", other, otherFirst }, { shape: out, bound: bound * 1.5 }]);
        }
        const wShape = cols === 0 ? [last] : [last, Math.max(1, Math.min(cols, Math.floor((MAX_SIZE * last) / size)))];
        const out = [...shape.slice(0, -1), ...wShape.slice(1)];
        return leafArb(wShape, 1.5 / last).map((other): [Step, State] => [{ op: "matmul", other, otherFirst: false }, { shape: out, bound: bound * 1.5 }]);
      }),
      fc.tuple(fc.nat(), fc.nat()).map(([x, y]): [Step, State] => {
        // A reshape to [a, size / a] for a divisor a: after a transpose, this is a copy.
        const divisors = Array.from({ length: size }, (_, i) => i + 1).filter((d) => size % d === 0);
        const a = divisors[x % divisors.length];
        const out = y % 2 === 0 ? [a, size / a] : [a, -1];
        return [{ op: "reshape", shape: out }, { shape: [a, size / a], bound }];
      }),
    );
  }
  if (n >= 2) {
    options.push(
      fc
        .tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: n - 1 }), fc.boolean())
        .map(([d0, delta, negative]): [Step, State] => {
          const d1 = (d0 + delta) % n;
          const out = shape.map((s, i) => (i === d0 ? shape[d1] : i === d1 ? shape[d0] : s));
          return [{ op: "transpose", dim0: negative ? d0 - n : d0, dim1: d1 }, { shape: out, bound }];
        }),
    );
  }
  return fc.oneof(...options);
}

function stepsArb(state: State, length: number): fc.Arbitrary<Step[]> {
  if (length === 0) return fc.constant([]);
  return stepArb(state).chain(([step, next]) => stepsArb(next, length - 1).map((rest) => [step, ...rest]));
}

const chainArb: fc.Arbitrary<Chain> = fc
  .tuple(shapeArb({ minDims: 0, maxDims: 3, minSize: 1, maxSize: 3 }), fc.integer({ min: 2, max: 5 }))
  .chain(([shape, length]) => fc.record({ input: leafArb(shape, 2), steps: stepsArb({ shape, bound: 2 }, length) }));

function leafTensor(leaf: Leaf): Tensor {
  return tensor(Float64Array.from(leaf.values), { shape: leaf.shape, dtype: "float64", requiresGrad: true });
}

/** Runs the chain on x, taking the leaves the steps bring in from `others` in order. */
function run(steps: Step[], x: Tensor, others: Tensor[]): Tensor {
  let k = 0;
  for (const s of steps) {
    switch (s.op) {
      case "exp": x = x.mul(s.scale).exp(); break;
      case "tanh": x = x.tanh(); break;
      case "sigmoid": x = x.sigmoid(); break;
      case "add": case "mul": case "matmul": {
        const o = others[k++];
        x = s.otherFirst ? o[s.op](x) : x[s.op](o);
        break;
      }
      case "softmax": x = x.softmax(s.dim); break;
      case "logSoftmax": x = x.logSoftmax(s.dim); break;
      case "sum": x = x.sum(s.dim, s.keepdim); break;
      case "transpose": x = x.transpose(s.dim0, s.dim1); break;
      case "reshape": x = x.reshape(s.shape); break;
    }
  }
  return x;
}

describe("chains of ops", () => {
  it("have the gradients of central finite differences (gradcheck, float64)", () => {
    fc.assert(
      fc.property(chainArb, ({ input, steps }) => {
        const leaves = steps.flatMap((s) => ("other" in s ? [leafTensor(s.other)] : []));
        const inputs = [leafTensor(input), ...leaves];
        gradcheck((x, ...others) => run(steps, x, others), inputs);
      }),
      runs(250),
    );
  });
});
