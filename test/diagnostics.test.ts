// Training diagnostics: gradient and weight norms, the update/weight ratio, per layer and per parameter, on hand-set numbers.

import { describe, expect, it } from "vitest";
import { manualSeed, nn, randn, tensor, type Tensor } from "../src/index.ts";
import * as optim from "../src/optim/index.ts";
import { TrainingDiagnostics, diagnosticsRecords, diagnosticsSeries, formatDiagnostics, ratioWarnings } from "../src/utils/diagnostics.ts";

/** A hand-set "network": layer 0 has weight [[3, 4]] and bias [12] (‖·‖ = 13 together), layer 2 has weight [[0, 2]]. */
function handSet(): [string, Tensor][] {
  const w0 = tensor([[3, 4]], { dtype: "float64", requiresGrad: true });
  const b0 = tensor([12], { dtype: "float64", requiresGrad: true });
  const w2 = tensor([[0, 2]], { dtype: "float64", requiresGrad: true });
  w0.grad = tensor([[0.6, 0.8]], { dtype: "float64" }); // ‖g‖ = 1
  b0.grad = tensor([0], { dtype: "float64" });
  w2.grad = tensor([[3, 4]], { dtype: "float64" }); // ‖g‖ = 5
  return [["0.weight", w0], ["0.bias", b0], ["2.weight", w2]];
}

describe("TrainingDiagnostics", () => {
  it("after one plain-SGD step, per parameter: ‖g‖, ‖θ‖, and update ratio = lr·‖g‖/‖θ‖", () => {
    const params = handSet();
    const diag = new TrainingDiagnostics(params, { groupBy: "parameter" });
    const opt = new optim.SGD(params.map(([, p]) => p), { lr: 0.1 });
    diag.beforeStep();
    opt.step();
    const stats = diag.afterStep();
    expect(stats.map((s) => s.name)).toEqual(["0.weight", "0.bias", "2.weight"]);
    const [w0, b0, w2] = stats;
    expect(w0.gradNorm).toBeCloseTo(1, 12);
    expect(w0.weightNorm).toBeCloseTo(5, 12);
    expect(w0.updateNorm).toBeCloseTo(0.1, 12);
    expect(w0.updateRatio).toBeCloseTo((0.1 * 1) / 5, 12);
    expect(b0).toEqual({ name: "0.bias", gradNorm: 0, weightNorm: 12, updateNorm: 0, updateRatio: 0 });
    expect(w2.updateRatio).toBeCloseTo((0.1 * 5) / 2, 12);
  });

  it("per layer (the default), pools a layer's parameters: '0.weight' and '0.bias' → '0'", () => {
    const params = handSet();
    const diag = new TrainingDiagnostics(params);
    const opt = new optim.SGD(params.map(([, p]) => p), { lr: 0.1 });
    diag.beforeStep();
    opt.step();
    const [layer0, layer2] = diag.afterStep();
    expect(layer0.name).toBe("0");
    expect(layer0.gradNorm).toBeCloseTo(1, 12);
    expect(layer0.weightNorm).toBeCloseTo(13, 12); // √(9 + 16 + 144)
    expect(layer0.updateRatio).toBeCloseTo(0.1 / 13, 12);
    expect(layer2).toMatchObject({ name: "2" });
    expect(layer2.weightNorm).toBeCloseTo(2, 12);
  });

  it("measures the step actually taken (momentum's second step is lr·(μ·g + g))", () => {
    const params = handSet();
    const diag = new TrainingDiagnostics(params, { groupBy: "parameter" });
    const opt = new optim.SGD(params.map(([, p]) => p), { lr: 0.1, momentum: 0.9 });
    opt.step();
    diag.beforeStep();
    opt.step();
    expect(diag.afterStep()[0].updateNorm).toBeCloseTo(0.1 * 1.9 * 1, 12);
  });

  it("reuses its buffers: many steps on a real MLP, float32, stats stay finite and in order", () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const diag = new TrainingDiagnostics(model.namedParameters());
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = randn(16, 4);
    const labels = Array.from({ length: 16 }, (_, i) => i % 3);
    const history: { step: number; stats: ReturnType<TrainingDiagnostics["afterStep"]> }[] = [];
    for (let step = 1; step <= 5; step++) {
      opt.zeroGrad();
      nn.functional.crossEntropy(model.forward(x), labels).backward();
      diag.beforeStep();
      opt.step();
      history.push({ step, stats: diag.afterStep() });
    }
    expect(diag.names).toEqual(["0", "2"]);
    for (const { stats } of history) {
      for (const s of stats) {
        expect(Number.isFinite(s.gradNorm) && s.gradNorm > 0).toBe(true);
        // Adam's first steps move every weight by about lr, so the ratio is near lr·√n/‖θ‖.
        expect(s.updateRatio).toBeGreaterThan(1e-3);
        expect(s.updateRatio).toBeLessThan(1);
      }
    }
    const records = diagnosticsRecords(5, history[4].stats);
    expect(records[1]).toEqual({ step: 5, layer: "2", ...pick(history[4].stats[1]) });
    // Charts: one per quantity and layer, one series per run; records logged either way work.
    const adam = history.flatMap((h) => diagnosticsRecords(h.step, h.stats));
    const spread = history.flatMap((h) => h.stats.map((s) => ({ step: h.step, ...s })));
    const charts = diagnosticsSeries([["adam", adam], ["adam (spread)", spread]]);
    expect(charts.map((c) => c.file)).toEqual([
      "diagnostics-grad-norm-0.svg", "diagnostics-grad-norm-2.svg",
      "diagnostics-weight-norm-0.svg", "diagnostics-weight-norm-2.svg",
      "diagnostics-update-ratio-0.svg", "diagnostics-update-ratio-2.svg",
    ]);
    const ratio2 = charts[5].spec;
    expect(ratio2.logY).toBe(true);
    expect(ratio2.series.map((s) => s.name)).toEqual(["adam", "adam (spread)"]);
    expect(ratio2.series[0].points.map((p) => p.x)).toEqual([1, 2, 3, 4, 5]);
    expect(ratio2.series[1].points).toEqual(ratio2.series[0].points);
    expect(ratio2.series[0].points[4].y).toBe(history[4].stats[1].updateRatio);
    expect(formatDiagnostics(history[0].stats)).toMatch(/^0: ‖g‖ \S+ ‖θ‖ \S+ Δ\/θ \S+ · 2: /);
  });

  it("warns outside the 1e-4 … 1e-2 band of the update ratio", () => {
    const base = { gradNorm: 1, weightNorm: 1, updateNorm: 0 };
    expect(ratioWarnings([{ name: "0", ...base, updateRatio: 1e-3 }])).toEqual([]);
    expect(ratioWarnings([{ name: "0", ...base, updateRatio: 0.05 }])[0]).toContain("too high");
    expect(ratioWarnings([{ name: "2", ...base, updateRatio: 1e-6 }])[0]).toContain("too low");
  });

  it("asks for beforeStep() first, and for at least one parameter", () => {
    const diag = new TrainingDiagnostics(handSet());
    expect(() => diag.afterStep()).toThrow(/call beforeStep\(\) first/);
    expect(() => new TrainingDiagnostics([])).toThrow(/no parameters/);
    expect(() => new TrainingDiagnostics(handSet(), { groupBy: "module" as "layer" })).toThrow(/groupBy/);
  });
});

function pick(s: { gradNorm: number; weightNorm: number; updateNorm: number; updateRatio: number }) {
  return { gradNorm: s.gradNorm, weightNorm: s.weightNorm, updateNorm: s.updateNorm, updateRatio: s.updateRatio };
}

describe("diagnostics charts", () => {
  it("render with the report module's lineChartSvg", async () => {
    const { lineChartSvg } = await import("../src/report/index.ts");
    const records = [1, 2, 3].map((step) => ({ step, layer: "0", gradNorm: 1 / step, weightNorm: 5, updateNorm: 1e-3, updateRatio: 2e-4 * step }));
    const [chart] = diagnosticsSeries([["sgd", records]]).filter((c) => c.file === "diagnostics-update-ratio-0.svg");
    const svg = await lineChartSvg(chart.spec);
    expect(svg).toContain("Update/weight ratio, layer 0");
  });
});
