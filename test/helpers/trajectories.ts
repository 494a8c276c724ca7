// Replays an optimizer trajectory fixture (fixed gradients, lr changes, parameter groups) and checks the parameters at every step.

import * as optim from "../../src/optim/index.ts";
import type { DType } from "../../src/tensor/index.ts";
import { expectClose, toTensor, type FixtureTensor, type Tolerance } from "./fixtures.ts";

/** A case of optimizer_trajectories*.json (see test/fixtures/README.md and wave2/README.md). */
export interface TrajectoryCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  optionsGiven: Record<string, unknown>;
  paramGroups: { params: number[]; overrides: Record<string, unknown>; options: Record<string, unknown> }[];
  lrChanges: { afterSteps: number; group: number; lr: number }[];
  steps: number;
  initialParams: FixtureTensor[];
  grads: FixtureTensor[][];
  paramsAfterStep: FixtureTensor[][];
}

/** How the optimizer is built: from the options the reference passed, from the resolved options, or each group given all of its options. */
export type Construction = "optionsGiven" | "options" | "groupOptions";

/** The class of a case's `optimizer` field, looked up in the optim namespace by its PyTorch name. */
function classOf(name: string): new (params: never, options?: never) => optim.Optimizer {
  const Ctor = (optim as unknown as Record<string, unknown>)[name];
  if (typeof Ctor !== "function") throw new Error(`fixture names optimizer "${name}", which optim does not export`);
  return Ctor as new (params: never, options?: never) => optim.Optimizer;
}

/**
 * Replays a case: builds params and groups, applies the lr changes, feeds the recorded gradients,
 * checks every parameter after every step, then calls `afterStep(opt, t)` for extra checks.
 */
export function replay<C extends TrajectoryCase>(c: C, how: Construction, dtype: DType, tol: Tolerance, afterStep?: (opt: optim.Optimizer, t: number, label: string) => void): void {
  const params = c.initialParams.map((t) => toTensor(t, { dtype }));
  const groups = c.paramGroups.map((g) => ({
    params: g.params.map((i) => params[i]),
    ...(how === "groupOptions" ? g.options : g.overrides),
  }));
  const opt = new (classOf(c.optimizer))(groups as never, (how === "optionsGiven" ? c.optionsGiven : c.options) as never);
  for (let t = 0; t < c.steps; t++) {
    for (const change of c.lrChanges) if (change.afterSteps === t) opt.paramGroups[change.group].lr = change.lr;
    params.forEach((p, i) => (p.grad = toTensor(c.grads[t][i], { dtype })));
    opt.step();
    const label = `${c.name} (${how}, ${dtype}) step ${t}`;
    params.forEach((p, i) => expectClose(p, c.paramsAfterStep[t][i], tol.rtol, tol.atol, `${label} param ${i}`));
    afterStep?.(opt, t, label);
  }
}
