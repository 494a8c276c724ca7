// toDot lists exactly the ops of an expression; anomaly mode stops at a planted log(0) and names it.

import { afterEach, describe, expect, it } from "vitest";
import { AnomalyError, detectAnomaly, tensor, toDot } from "../src/index.ts";

describe("toDot", () => {
  it("lists exactly the ops and leaves of a known expression", () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    w.name = "weight";
    const x = tensor([[1], [1]]);
    const loss = w.matmul(x).relu().sum();
    const dot = toDot(loss);
    const ops = [...dot.matchAll(/shape=box[^\]]*label="([a-zA-Z]+)\\n/g)].map((m) => m[1]).sort();
    expect(ops).toEqual(["matmul", "relu", "sum"]);
    expect(dot).toContain('label="weight\\n[2, 2]\\nrequiresGrad"');
    expect(dot).toContain('label="constant\\n[2, 1]"');
    expect(dot.match(/->/g)).toHaveLength(4);
    expect(dot.startsWith('digraph "ndgrad" {')).toBe(true);
  });
});

describe("detectAnomaly", () => {
  afterEach(() => detectAnomaly(false));

  it("throws at a planted log(0), naming the op, its input shape and the parameter it depends on", () => {
    detectAnomaly(true);
    const w = tensor([1, 0, 2], { requiresGrad: true });
    w.name = "scale";
    const h = w.mul(tensor([1, 1, 1]));
    let error: unknown;
    try {
      h.log();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AnomalyError);
    const anomaly = error as AnomalyError;
    expect(anomaly.op).toBe("log");
    expect(anomaly.message).toBe('anomaly: log produced -Infinity at element 1 of its output [3] (inputs [3]); it depends on parameter "scale" [3]');
  });

  it("is off by default: log(0) is -Infinity, as PyTorch", () => {
    expect(tensor([0]).log().item()).toBe(-Infinity);
  });
});
