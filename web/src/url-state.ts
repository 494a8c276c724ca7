// The page's whole state as URL parameters, so a link reproduces a view (the test contract's parameters included).

import { DEFAULT_PARAMS, SURFACE_NAMES } from "./surfaces.ts";

export type View = "race" | "mnist" | "graph";

export interface PageState {
  view: View;
  surface: string;
  kappa: number;
  angle: number;
  formula: string;
  optimizers: string[];
  /** Per optimizer: option overrides (lr, momentum, betas, rho, alpha, eps). */
  options: Record<string, Record<string, number | [number, number]>>;
  /** null: the surface's own start. */
  start: [number, number] | null;
  /** The race runs to this many steps (the timeline's end); null: the surface's default. */
  steps: number | null;
  /** The step on view. */
  step: number;
  noise: number;
  seed: number;
  tol: number;
  /** Steps per second while playing. */
  speed: number;
  inspect: string | null;
  autoplay: boolean;
  /** MNIST: batch size, hidden width, and worker threads (null: ndgrad's default, one per core when isolated). */
  batch: number;
  hidden: number;
  threads: number | null;
}

/** The seven optimizers of the lecture notes, selected when the URL names none. */
export const LECTURE_OPTIMIZERS = ["sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam"];

export const DEFAULT_STATE: PageState = {
  view: "race",
  surface: "rosenbrock",
  ...DEFAULT_PARAMS,
  optimizers: LECTURE_OPTIMIZERS,
  options: {},
  start: null,
  steps: null,
  step: 0,
  noise: 0,
  seed: 0,
  tol: 1e-3,
  speed: 60,
  inspect: null,
  autoplay: false,
  batch: 128,
  hidden: 256,
  threads: null,
};

/** Option names in the URL: betas are split into beta1 and beta2. */
const BETA_KEYS = ["beta1", "beta2"];

function numberParam(params: URLSearchParams, key: string, fallback: number, ok: (v: number) => boolean, rule: string): number {
  const raw = params.get(key);
  if (raw === null || raw === "") return fallback;
  const v = Number(raw);
  if (!ok(v)) throw new RangeError(`URL parameter ${key}=${raw}: ${rule}`);
  return v;
}

const finite = (v: number) => Number.isFinite(v);
const positiveInt = (v: number) => Number.isInteger(v) && v > 0;

/** Reads the state from a query string; throws a RangeError naming the parameter and what is valid. */
export function parseState(search: string, known: string[]): PageState {
  const params = new URLSearchParams(search);
  const d = DEFAULT_STATE;
  const demo = params.get("demo");
  if (demo !== null && !["race", "mnist", "graph"].includes(demo)) throw new RangeError(`URL parameter demo=${demo}: valid are race, mnist, graph`);
  const surface = params.get("surface") ?? d.surface;
  if (!SURFACE_NAMES.includes(surface)) throw new RangeError(`URL parameter surface=${surface}: valid are ${SURFACE_NAMES.join(", ")}`);
  const optimizers = params.has("optimizers") ? (params.get("optimizers") ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean) : d.optimizers;
  for (const name of optimizers) if (!known.includes(name)) throw new RangeError(`URL parameter optimizers: unknown optimizer "${name}" (valid: ${known.join(", ")})`);

  const options: PageState["options"] = {};
  const set = (name: string, key: string, value: string, param: string) => {
    if (!known.includes(name)) throw new RangeError(`URL parameter ${param}: unknown optimizer "${name}" (valid: ${known.join(", ")})`);
    const v = Number(value);
    if (value === "" || !Number.isFinite(v)) throw new RangeError(`URL parameter ${param}: ${name}'s ${key} must be a number, got "${value}"`);
    const o = (options[name] ??= {});
    if (BETA_KEYS.includes(key)) {
      const betas = (o.betas as [number, number] | undefined) ?? [NaN, NaN];
      betas[BETA_KEYS.indexOf(key)] = v;
      o.betas = betas;
    } else o[key] = v;
  };
  for (const item of (params.get("lr") ?? "").split(",").filter(Boolean)) {
    const [name, value = ""] = item.split(":");
    set(name.trim().toLowerCase(), "lr", value.trim(), `lr (${item})`);
  }
  for (const item of (params.get("opt") ?? "").split(",").filter(Boolean)) {
    const [path, value = ""] = item.split(":");
    const [name, key = ""] = path.split(".");
    set(name.trim().toLowerCase(), key.trim(), value.trim(), `opt (${item}; expected name.option:value)`);
  }

  let start: [number, number] | null = null;
  const rawStart = params.get("start");
  if (rawStart !== null) {
    const xy = rawStart.split(",").map(Number);
    if (xy.length !== 2 || !xy.every(Number.isFinite)) throw new RangeError(`URL parameter start=${rawStart}: expected two numbers "x,y", e.g. start=-2,2`);
    start = [xy[0], xy[1]];
  }
  const steps = params.has("steps") ? numberParam(params, "steps", 0, positiveInt, "must be a positive integer") : null;
  return {
    view: (demo ?? "race") as View,
    surface,
    kappa: numberParam(params, "kappa", d.kappa, (v) => v >= 1 && finite(v), "must be a number >= 1"),
    angle: numberParam(params, "angle", d.angle, finite, "must be a number of degrees"),
    formula: params.get("formula") ?? d.formula,
    optimizers,
    options,
    start,
    steps,
    step: numberParam(params, "step", d.step, (v) => Number.isInteger(v) && v >= 0, "must be an integer >= 0"),
    noise: numberParam(params, "noise", d.noise, (v) => v >= 0 && finite(v), "must be a number >= 0"),
    seed: numberParam(params, "seed", d.seed, Number.isInteger, "must be an integer"),
    tol: numberParam(params, "tol", d.tol, (v) => v > 0 && finite(v), "must be a positive number"),
    speed: numberParam(params, "speed", d.speed, (v) => v > 0 && finite(v), "must be a positive number of steps per second"),
    inspect: params.get("inspect"),
    autoplay: params.get("autoplay") === "1",
    batch: numberParam(params, "batch", d.batch, positiveInt, "must be a positive integer"),
    hidden: numberParam(params, "hidden", d.hidden, positiveInt, "must be a positive integer"),
    threads: params.has("threads") ? numberParam(params, "threads", 1, positiveInt, "must be a positive integer (ndgrad's setNumThreads checks the upper bound)") : null,
  };
}

/** The query string of a state: only what differs from the defaults, lr= and opt= per optimizer. */
export function formatState(s: PageState): string {
  const d = DEFAULT_STATE;
  const params = new URLSearchParams();
  if (s.view !== "race") params.set("demo", s.view);
  if (s.surface !== d.surface) params.set("surface", s.surface);
  if (s.surface === "quadratic") {
    params.set("kappa", String(s.kappa));
    params.set("angle", String(s.angle));
  }
  if (s.surface === "custom") params.set("formula", s.formula);
  if (s.optimizers.join() !== d.optimizers.join()) params.set("optimizers", s.optimizers.join(","));
  const lrs: string[] = [];
  const others: string[] = [];
  for (const [name, o] of Object.entries(s.options)) {
    for (const [key, value] of Object.entries(o)) {
      if (key === "lr") lrs.push(`${name}:${value}`);
      else if (key === "betas") (value as number[]).forEach((b, i) => others.push(`${name}.${BETA_KEYS[i]}:${b}`));
      else others.push(`${name}.${key}:${value}`);
    }
  }
  if (lrs.length > 0) params.set("lr", lrs.join(","));
  if (others.length > 0) params.set("opt", others.join(","));
  if (s.start !== null) params.set("start", s.start.map((v) => +v.toPrecision(4)).join(","));
  if (s.steps !== null) params.set("steps", String(s.steps));
  for (const key of ["step", "noise", "seed", "tol", "speed", "batch", "hidden"] as const) if (s[key] !== d[key]) params.set(key, String(s[key]));
  if (s.inspect !== null) params.set("inspect", s.inspect);
  if (s.threads !== null) params.set("threads", String(s.threads));
  return params.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
}
