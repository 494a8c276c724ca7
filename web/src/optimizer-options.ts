// What the page knows of each registered optimizer: its colour, its options with their defaults, and the sliders for them.

import { optim, tensor } from "../../src/browser.ts";
import { RACE_OPTIONS } from "../../examples/mnist/race-options.ts";

/** One colour per registry position (Tableau 10 and two more): the same optimizer has the same colour in every view. */
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#17becf", "#8c564b"];

export function colorOf(name: string): string {
  const i = optim.available().indexOf(name);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

/** A learning rate that moves on the 2-D surfaces (most defaults are for networks and crawl here). */
const LR_2D: Record<string, number> = { sgd: 1e-3, momentum: 1e-3, nag: 1e-3, adagrad: 0.5, adadelta: 1, rmsprop: 0.01, adam: 0.05, adamw: 0.05, adamax: 0.05, nadam: 0.05, "adam-no-bias-correction": 0.05 };
/** The MNIST race's lrs, as examples/mnist.ts races. */
const LR_MNIST: Record<string, number> = Object.fromEntries(Object.entries(RACE_OPTIONS).map(([name, options]) => [name, options.lr]));

/** The options each optimizer was built with by default (lr included when it has one), read from an instance. */
export function defaultsOf(name: string): Record<string, unknown> {
  const probe = [tensor([0], { requiresGrad: true })];
  try {
    return { ...optim.create(name, probe).defaults };
  } catch {
    return { ...optim.create(name, probe, { lr: 0.01 }).defaults, lr: undefined };
  }
}

/**
 * The options of a racer: its defaults, the page's lr for this kind of race (a 2-D surface's own
 * lr first), then the user's overrides.
 */
export function optionsFor(name: string, race: "mnist" | { lr?: Record<string, number> }, overrides: Record<string, number | [number, number]> = {}): Record<string, unknown> {
  const defaults = defaultsOf(name);
  const lr = (race === "mnist" ? LR_MNIST[name] : race.lr?.[name] ?? LR_2D[name]) ?? (defaults.lr as number | undefined) ?? 0.01;
  const out: Record<string, unknown> = { ...defaults, lr };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in defaults)) continue;
    if (key === "betas") {
      const base = defaults.betas as [number, number];
      const given = value as [number, number];
      out.betas = [Number.isNaN(given[0]) ? base[0] : given[0], Number.isNaN(given[1]) ? base[1] : given[1]];
    } else out[key] = value;
  }
  return out;
}

export interface SliderSpec {
  /** The option, and for betas the index. */
  key: string;
  index?: number;
  label: string;
  min: number;
  max: number;
  log: boolean;
}

/** Sliders for the options an optimizer has, among lr, momentum, β1, β2, ρ (Adadelta's rho, RMSprop's alpha) and ε. */
export function slidersFor(name: string): SliderSpec[] {
  const defaults = defaultsOf(name);
  const specs: SliderSpec[] = [{ key: "lr", label: "lr", min: 1e-5, max: 10, log: true }];
  if ("momentum" in defaults) specs.push({ key: "momentum", label: "μ", min: 0, max: 0.999, log: false });
  if ("betas" in defaults) specs.push({ key: "betas", index: 0, label: "β1", min: 0, max: 0.999, log: false }, { key: "betas", index: 1, label: "β2", min: 0, max: 0.9999, log: false });
  if ("rho" in defaults) specs.push({ key: "rho", label: "ρ", min: 0, max: 0.999, log: false });
  if ("alpha" in defaults && name === "rmsprop") specs.push({ key: "alpha", label: "ρ (α)", min: 0, max: 0.999, log: false });
  if ("eps" in defaults) specs.push({ key: "eps", label: "ε", min: 1e-12, max: 1, log: true });
  return specs;
}
