// A typed-in f(x, y) turned into ndgrad ops, so that backward() differentiates it like any other surface.

import type { Tensor } from "../../src/browser.ts";
import { cos, sin } from "./ops.ts";

type Value = Tensor | number;
type Node = (x: Tensor, y: Tensor) => Value;

const FUNCTIONS: Record<string, (t: Tensor) => Tensor> = {
  sin,
  cos,
  exp: (t) => t.exp(),
  log: (t) => t.log(),
  sqrt: (t) => t.sqrt(),
  abs: (t) => t.abs(),
  tanh: (t) => t.tanh(),
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

const isNum = (v: Value): v is number => typeof v === "number";

/** a ∘ b for numbers or tensors; a tensor with a number on its left uses the commuted or inverted form. */
const arithmetic: Record<string, (a: Value, b: Value) => Value> = {
  "+": (a, b) => (isNum(a) ? (isNum(b) ? a + b : b.add(a)) : a.add(b)),
  "-": (a, b) => (isNum(a) ? (isNum(b) ? a - b : b.neg().add(a)) : a.sub(b)),
  "*": (a, b) => (isNum(a) ? (isNum(b) ? a * b : b.mul(a)) : a.mul(b)),
  "/": (a, b) => (isNum(a) ? (isNum(b) ? a / b : b.pow(-1).mul(a)) : a.div(b)),
  "^": (a, b) => (isNum(a) ? (isNum(b) ? a ** b : b.mul(Math.log(a)).exp()) : isNum(b) ? a.pow(b) : b.mul(a.log()).exp()),
};

/**
 * Parses f(x, y) written with + − * / ^ (or **), parentheses, numbers, x, y, pi, e and
 * sin cos exp log sqrt abs tanh. Throws a SyntaxError naming the position and what was expected.
 */
export function parseFormula(text: string): (x: Tensor, y: Tensor) => Tensor {
  const tokens = text.match(/\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|\*\*|[a-z]+|\S/gi) ?? [];
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`f(x, y) = ${text}: ${what} at ${tokens[i] === undefined ? "the end" : `"${tokens[i]}" (token ${i + 1})`}`);
  };
  const peek = () => tokens[i];
  const take = (t: string) => (peek() === t ? (i++, true) : false);
  const binary = (next: () => Node, ops: string[], rightAssoc = false): (() => Node) => () => {
    let left = next();
    while (ops.includes(peek() ?? "")) {
      const op = tokens[i++] === "**" ? "^" : tokens[i - 1];
      const right = rightAssoc ? binary(next, ops, true)() : next();
      const l = left;
      left = (x, y) => arithmetic[op](l(x, y), right(x, y));
      if (rightAssoc) break;
    }
    return left;
  };
  const atom = (): Node => {
    const t = peek();
    if (t === undefined) return fail("expected a number, x, y, a function or (");
    if (take("(")) {
      const inner = sum();
      if (!take(")")) fail("expected )");
      return inner;
    }
    if (take("-")) {
      const inner = power();
      return (x, y) => arithmetic["*"](-1, inner(x, y));
    }
    if (take("+")) return power();
    if (/^[\d.]/.test(t)) {
      i++;
      const v = Number(t);
      return () => v;
    }
    const name = t.toLowerCase();
    if (name === "x" || name === "y") {
      i++;
      return name === "x" ? (x) => x : (_x, y) => y;
    }
    if (name in CONSTANTS) {
      i++;
      return () => CONSTANTS[name];
    }
    if (name in FUNCTIONS) {
      i++;
      if (!take("(")) fail(`expected ( after ${name}`);
      const arg = sum();
      if (!take(")")) fail("expected )");
      const fn = FUNCTIONS[name];
      return (x, y) => {
        const v = arg(x, y);
        return isNum(v) ? fn(x.mul(0).add(v)) : fn(v);
      };
    }
    return fail(`unknown name (valid: x, y, ${Object.keys(CONSTANTS).join(", ")}, ${Object.keys(FUNCTIONS).join(", ")})`);
  };
  const power: () => Node = binary(atom, ["^", "**"], true);
  const product = binary(power, ["*", "/"]);
  const sum = binary(product, ["+", "-"]);
  if (tokens.length === 0) fail("empty formula");
  const root = sum();
  if (i < tokens.length) fail("expected an operator");
  return (x, y) => {
    const v = root(x, y);
    return isNum(v) ? x.mul(0).add(v) : v;
  };
}
