// Each optimizer's update rule in its paper's symbols, the symbol of each of its state entries, and the terms derived from that state.

import type { StateValue, StepRecord } from "./race.ts";

type Options = Record<string, unknown>;
type Pair = [number, number];

/** A term computed from the step's recorded state (never from the page's own run of the rule). */
export interface DerivedTerm {
  key: string;
  symbol: string;
  /** How it follows from the state, shown beside the value. */
  from: string;
  value(step: StepRecord, options: Options): Pair | null;
}

export interface Rule {
  /** Paper and convention, one line. */
  citation: string;
  /** The update, one line per line of the paper's algorithm. */
  lines: string[];
  /** State entry → its symbol in `lines`. */
  symbols: Record<string, string>;
  derived: DerivedTerm[];
  /** The per-coordinate step size the rule applies to g (or to m) at this step, for the step-size chart. */
  effectiveStep?: DerivedTerm;
}

const pair = (v: StateValue | undefined): Pair | null => (Array.isArray(v) ? v : null);
const map = (v: Pair | null, f: (a: number) => number): Pair | null => (v === null ? null : [f(v[0]), f(v[1])]);
const num = (o: Options, key: string): number => o[key] as number;
const betas = (o: Options): Pair => o.betas as Pair;
const t = (s: StepRecord) => s.state.step as number;

/** m̂ = m / (1 − β1ᵗ), from the state's m and t. */
const mHat: DerivedTerm = {
  key: "mhat", symbol: "m̂", from: "m / (1 − β1ᵗ)",
  value: (s, o) => map(pair(s.state.expAvg), (m) => m / (1 - betas(o)[0] ** t(s))),
};
/** v̂ = v / (1 − β2ᵗ), from the state's v and t. */
const vHat: DerivedTerm = {
  key: "vhat", symbol: "v̂", from: "v / (1 − β2ᵗ)",
  value: (s, o) => map(pair(s.state.expAvgSq), (v) => v / (1 - betas(o)[1] ** t(s))),
};
/** Adam's per-coordinate step α/(√v̂ + ε). */
const adamStep: DerivedTerm = {
  key: "rate", symbol: "α/(√v̂ + ε)", from: "lr, v̂, ε",
  value: (s, o) => map(vHat.value(s, o), (v) => num(o, "lr") / (Math.sqrt(v) + num(o, "eps"))),
};

const ADAM_LINES = [
  "t ← t + 1",
  "g ← ∇θ f(θ)",
  "m ← β1·m + (1 − β1)·g",
  "v ← β2·v + (1 − β2)·g²",
  "m̂ ← m / (1 − β1ᵗ)",
  "v̂ ← v / (1 − β2ᵗ)",
  "θ ← θ − α·m̂ / (√v̂ + ε)",
];
const ADAM_SYMBOLS = { step: "t", expAvg: "m", expAvgSq: "v", maxExpAvgSq: "v̂max" };

const SGD_LINES = ["g ← ∇θ f(θ)", "b ← μ·b + (1 − τ)·g   (b ← g on step 1)", "θ ← θ − η·b"];

/** NAG's look-ahead point θ − η·μ·b: where the momentum alone would carry θ next (drawn on the path). */
export function lookAhead(step: StepRecord, options: Options, at: Pair): Pair | null {
  const b = pair(step.state.momentumBuffer);
  if (b === null) return null;
  const k = num(options, "lr") * num(options, "momentum");
  return [at[0] - k * b[0], at[1] - k * b[1]];
}

const RULES: Record<string, Rule> = {
  sgd: {
    citation: "Robbins & Monro, 1951 (momentum μ = 0 by default)",
    lines: ["g ← ∇θ f(θ)", "θ ← θ − η·g"],
    symbols: { momentumBuffer: "b" },
    derived: [],
  },
  momentum: {
    citation: "Polyak, 1964, in PyTorch's form: η multiplies outside the velocity",
    lines: SGD_LINES,
    symbols: { momentumBuffer: "b" },
    derived: [],
  },
  nag: {
    citation: "Nesterov, 1983, as Sutskever et al., 2013 and PyTorch: the step uses g + μ·b",
    lines: ["g ← ∇θ f(θ)", "b ← μ·b + g   (b ← g on step 1)", "θ ← θ − η·(g + μ·b)", "look-ahead: θ − η·μ·b (the ring on the path)"],
    symbols: { momentumBuffer: "b" },
    derived: [],
  },
  adagrad: {
    citation: "Duchi, Hazan & Singer, 2011: the sum G only grows, so the step only shrinks",
    lines: ["g ← ∇θ f(θ)", "G ← G + g²", "θ ← θ − η·g / (√G + ε)"],
    symbols: { step: "t", sum: "G" },
    derived: [],
    effectiveStep: {
      key: "rate", symbol: "η/(√G + ε)", from: "lr, G, ε",
      value: (s, o) => map(pair(s.state.sum), (G) => num(o, "lr") / (Math.sqrt(G) + num(o, "eps"))),
    },
  },
  adadelta: {
    citation: "Zeiler, 2012: no learning rate in the paper (η = 1); ε inside both roots",
    lines: ["g ← ∇θ f(θ)", "E[g²] ← ρ·E[g²] + (1 − ρ)·g²", "Δθ ← √(E[Δθ²] + ε) / √(E[g²] + ε) · g", "E[Δθ²] ← ρ·E[Δθ²] + (1 − ρ)·Δθ²", "θ ← θ − η·Δθ"],
    symbols: { step: "t", squareAvg: "E[g²]", accDelta: "E[Δθ²]" },
    derived: [],
  },
  rmsprop: {
    citation: "Hinton, lecture 6e, 2012: a moving average instead of Adagrad's sum",
    lines: ["g ← ∇θ f(θ)", "v ← α·v + (1 − α)·g²", "θ ← θ − η·g / (√v + ε)"],
    symbols: { step: "t", squareAvg: "v = E[g²]", momentumBuffer: "b", gradAvg: "ḡ" },
    derived: [],
    effectiveStep: {
      key: "rate", symbol: "η/(√v + ε)", from: "lr, v, ε",
      value: (s, o) => map(pair(s.state.squareAvg), (v) => num(o, "lr") / (Math.sqrt(v) + num(o, "eps"))),
    },
  },
  adam: {
    citation: "Kingma & Ba, 2014, Algorithm 1: momentum (m) plus RMSprop (v), bias-corrected",
    lines: ADAM_LINES,
    symbols: ADAM_SYMBOLS,
    derived: [mHat, vHat, adamStep],
    effectiveStep: adamStep,
  },
  adamw: {
    citation: "Loshchilov & Hutter, 2019: Adam with the weight decay applied to θ directly",
    lines: ["θ ← θ·(1 − α·λ)", ...ADAM_LINES.slice(1)],
    symbols: ADAM_SYMBOLS,
    derived: [mHat, vHat, adamStep],
    effectiveStep: adamStep,
  },
  adamax: {
    citation: "Kingma & Ba, 2014, Algorithm 2: the infinity norm u instead of v",
    lines: ["g ← ∇θ f(θ)", "m ← β1·m + (1 − β1)·g", "u ← max(β2·u, |g| + ε)", "θ ← θ − (α / (1 − β1ᵗ))·m / u"],
    symbols: { step: "t", expAvg: "m", expInf: "u" },
    derived: [mHat],
  },
  nadam: {
    citation: "Dozat, 2016: Adam with Nesterov's look-ahead momentum (PyTorch ≥ 2.0's formula)",
    lines: ["m ← β1·m + (1 − β1)·g", "v ← β2·v + (1 − β2)·g²", "v̂ ← v / (1 − β2ᵗ)", "θ ← θ − γ·(1 − μt)/(1 − Πt)·g/(√v̂ + ε) − γ·μt+1/(1 − Πt·μt+1)·m/(√v̂ + ε)"],
    symbols: { step: "t", expAvg: "m", expAvgSq: "v", muProduct: "Πt" },
    derived: [vHat],
  },
};

/** Adam with the bias correction left out: the page's own optimizer (adam-no-bias-correction.ts). */
RULES["adam-no-bias-correction"] = {
  citation: "Adam's Algorithm 1 without m̂ and v̂: m₀ = v₀ = 0 bias both towards 0, so m/√v starts (1 − β1)/√(1 − β2) times m̂/√v̂ (3.2× with the defaults)",
  lines: ["g ← ∇θ f(θ)", "m ← β1·m + (1 − β1)·g", "v ← β2·v + (1 − β2)·g²", "θ ← θ − α·m / (√v + ε)"],
  symbols: ADAM_SYMBOLS,
  derived: [],
  effectiveStep: {
    key: "rate", symbol: "α/(√v + ε)", from: "lr, v, ε",
    value: (s, o) => map(pair(s.state.expAvgSq), (v) => num(o, "lr") / (Math.sqrt(v) + num(o, "eps"))),
  },
};

/** The rule of a registered optimizer; one the page does not know shows its state entries by name. */
export function ruleOf(name: string): Rule {
  return RULES[name] ?? { citation: `${name}: registered optimizer (its state entries, by name)`, lines: [], symbols: {}, derived: [] };
}

/** Where ε can sit in Adam's denominator, and the Δθ each placement gives at this step (for the ε toggle). */
export function epsilonPlacements(step: StepRecord, options: Options): { form: string; who: string; value: Pair | null }[] {
  const [β1, β2] = betas(options);
  const α = num(options, "lr");
  const ε = num(options, "eps");
  const m = pair(step.state.expAvg);
  const v = pair(step.state.expAvgSq);
  const bc1 = 1 - β1 ** t(step);
  const bc2 = 1 - β2 ** t(step);
  const delta = (f: (mi: number, vi: number) => number): Pair | null => (m === null || v === null ? null : [f(m[0], v[0]), f(m[1], v[1])]);
  return [
    { form: "−α·m̂ / (√v̂ + ε)", who: "the paper, PyTorch, ndgrad (= Δθ above)", value: delta((mi, vi) => (-α * (mi / bc1)) / (Math.sqrt(vi / bc2) + ε)) },
    { form: "−α·m̂ / √(v̂ + ε)", who: "ε inside the root", value: delta((mi, vi) => (-α * (mi / bc1)) / Math.sqrt(vi / bc2 + ε)) },
    { form: "−α·√(1 − β2ᵗ)/(1 − β1ᵗ) · m / (√v + ε̂)", who: "the paper's §2 form, TensorFlow/Keras: ε acts 1/√(1 − β2ᵗ) times larger", value: delta((mi, vi) => (-α * Math.sqrt(bc2) * mi) / bc1 / (Math.sqrt(vi) + ε)) },
  ];
}
