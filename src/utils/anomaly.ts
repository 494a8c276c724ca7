// Anomaly mode: stop at the first op whose output is NaN or infinite, naming the op, its inputs and the parameters it feeds.

import { fmt, given, opHooks, type OpHook, type Tensor } from "../tensor/index.ts";

let enabled = false;

/** Turns anomaly detection on or off (off by default: it reads every op's output). */
export function detectAnomaly(on = true): void {
  if (typeof on !== "boolean") throw new TypeError(`detectAnomaly: on must be true or false, got ${given(on)}`);
  const index = opHooks.indexOf(checkOutput);
  if (on && index < 0) opHooks.push(checkOutput);
  if (!on && index >= 0) opHooks.splice(index, 1);
  enabled = on;
}

export function isAnomalyEnabled(): boolean {
  return enabled;
}

/** The error thrown in anomaly mode; `op` and `inputShapes` say where the bad value appeared. */
export class AnomalyError extends Error {
  constructor(
    message: string,
    readonly op: string,
    readonly inputShapes: number[][],
    readonly parameters: string[],
  ) {
    super(message);
    this.name = "AnomalyError";
  }
}

const checkOutput: OpHook = (op, output, inputs) => {
  const values = output.values();
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    const inputShapes = inputs.map((t) => t.shape);
    const parameters = feedingParameters(inputs);
    const feeds = parameters.length > 0 ? `; it depends on ${parameters.join(", ")}` : "";
    throw new AnomalyError(
      `anomaly: ${op} produced ${values[i]} at element ${i} of its output ${fmt(output.shape)} (inputs ${inputShapes.map(fmt).join(", ")})${feeds}`,
      op,
      inputShapes,
      parameters,
    );
  }
};

/** Names of the leaves requiring gradients upstream of `inputs`: the parameters whose gradient this op would feed. */
function feedingParameters(inputs: Tensor[]): string[] {
  const names = new Set<string>();
  const seen = new Set<Tensor>();
  const stack = [...inputs];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.gradFn) stack.push(...t.gradFn.inputs);
    else if (t.requiresGrad) names.add(t.name ? `parameter "${t.name}" ${fmt(t.shape)}` : `a leaf ${fmt(t.shape)}`);
  }
  return [...names];
}
