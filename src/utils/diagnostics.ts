// Training diagnostics: per layer, the gradient norm, the weight norm and the update/weight ratio of each optimizer step.

import type { Tensor } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";
import { gradOf } from "../tensor/tensor.ts";

export interface DiagnosticsOptions {
  /**
   * "layer" (default) pools the parameters whose names share everything before the last dot
   * ("0.weight" and "0.bias" → layer "0"), so a zero-initialised bias does not make the layer's
   * update ratio infinite; "parameter" gives one record per parameter.
   */
  groupBy?: "layer" | "parameter";
}

/** One layer's (or parameter's) numbers for one step. Norms are Euclidean, over all elements, in float64. */
export interface LayerStats {
  name: string;
  /** ‖g‖ of the gradients the step used (read at beforeStep); 0 for parameters without a gradient. */
  gradNorm: number;
  /** ‖θ‖ before the step. */
  weightNorm: number;
  /** ‖Δθ‖, the size of the step the optimizer took. */
  updateNorm: number;
  /**
   * ‖Δθ‖ / ‖θ‖. The rule of thumb (Karpathy, CS231n) is about 1e-3: much smaller and the layer
   * barely learns, much larger and the lr is likely too high. 0 when both norms are 0.
   */
  updateRatio: number;
}

/** The usual band for the update/weight ratio around the 1e-3 rule of thumb; outside it, `ratioWarnings` speaks up. */
export const UPDATE_RATIO_BAND: readonly [number, number] = [1e-4, 1e-2];

/**
 * Measures what an optimizer step did, layer by layer. Call `beforeStep()` after `backward()`
 * and `afterStep()` after `opt.step()`:
 *
 *   const diag = new TrainingDiagnostics(model.namedParameters());
 *   opt.zeroGrad(); loss.backward();
 *   diag.beforeStep(); opt.step(); const stats = diag.afterStep();   // [{ name, gradNorm, weightNorm, updateNorm, updateRatio }]
 *
 * It takes any [name, tensor] pairs (not only a Module's), keeps one float64 snapshot of all the
 * parameters (allocated once, reused every step), and sums squares in float64.
 */
export class TrainingDiagnostics {
  readonly names: readonly string[];
  private readonly params: Tensor[];
  private readonly groupOf: Int32Array;
  private readonly offsets: Int32Array;
  private readonly snapshot: Float64Array;
  private readonly grad2: Float64Array;
  private readonly weight2: Float64Array;
  private readonly update2: Float64Array;
  private armed = false;

  constructor(parameters: Iterable<[string, Tensor]>, options: DiagnosticsOptions = {}) {
    const { groupBy = "layer" } = checkOptions("TrainingDiagnostics", options, { groupBy: true });
    if (groupBy !== "layer" && groupBy !== "parameter") throw new RangeError(`TrainingDiagnostics: groupBy must be "layer" or "parameter", got ${JSON.stringify(groupBy)}`);
    if (typeof (parameters as Iterable<unknown> | null)?.[Symbol.iterator] !== "function") {
      throw new TypeError(`TrainingDiagnostics: parameters must be an iterable of [name, Tensor] pairs such as model.namedParameters(), got ${JSON.stringify(parameters)} (${typeof parameters})`);
    }
    const entries = [...parameters];
    if (entries.length === 0) throw new RangeError("TrainingDiagnostics: no parameters given");
    const names: string[] = [];
    this.params = entries.map(([, p]) => p);
    this.groupOf = new Int32Array(entries.length);
    this.offsets = new Int32Array(entries.length + 1);
    for (const [i, [name, p]] of entries.entries()) {
      const dot = name.lastIndexOf(".");
      const group = groupBy === "layer" && dot > 0 ? name.slice(0, dot) : name;
      let g = names.indexOf(group);
      if (g < 0) g = names.push(group) - 1;
      this.groupOf[i] = g;
      this.offsets[i + 1] = this.offsets[i] + p.size;
    }
    this.names = names;
    this.snapshot = new Float64Array(this.offsets[entries.length]);
    this.grad2 = new Float64Array(names.length);
    this.weight2 = new Float64Array(names.length);
    this.update2 = new Float64Array(names.length);
  }

  /** Reads the gradients and copies the weights; call it between backward() and step(). */
  beforeStep(): void {
    this.grad2.fill(0);
    this.weight2.fill(0);
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const g = this.groupOf[i];
      const w = p.values();
      const base = this.offsets[i];
      let sw = 0;
      for (let k = 0; k < w.length; k++) {
        const v = w[k];
        this.snapshot[base + k] = v;
        sw += v * v;
      }
      this.weight2[g] += sw;
      const gradient = gradOf(p);
      if (gradient !== null) {
        const grad = gradient.values();
        let sg = 0;
        for (let k = 0; k < grad.length; k++) sg += grad[k] * grad[k];
        this.grad2[g] += sg;
      }
    }
    this.armed = true;
  }

  /** Compares the weights with the snapshot and returns one record per layer (or parameter), in order of first appearance. */
  afterStep(): LayerStats[] {
    if (!this.armed) throw new Error("TrainingDiagnostics.afterStep: call beforeStep() first (after backward(), before the optimizer's step())");
    this.armed = false;
    this.update2.fill(0);
    for (let i = 0; i < this.params.length; i++) {
      const w = this.params[i].values();
      const base = this.offsets[i];
      let su = 0;
      for (let k = 0; k < w.length; k++) {
        const d = w[k] - this.snapshot[base + k];
        su += d * d;
      }
      this.update2[this.groupOf[i]] += su;
    }
    return this.names.map((name, g) => {
      const weightNorm = Math.sqrt(this.weight2[g]);
      const updateNorm = Math.sqrt(this.update2[g]);
      return {
        name,
        gradNorm: Math.sqrt(this.grad2[g]),
        weightNorm,
        updateNorm,
        updateRatio: updateNorm === 0 ? 0 : updateNorm / weightNorm,
      };
    });
  }
}

/** Flat records for a metrics series (e.g. RunRecorder.log("adam/diagnostics", r) for each), one per layer. */
export function diagnosticsRecords(step: number, stats: readonly LayerStats[]): Array<{ step: number; layer: string; gradNorm: number; weightNorm: number; updateNorm: number; updateRatio: number }> {
  return stats.map((s) => ({ step, layer: s.name, gradNorm: s.gradNorm, weightNorm: s.weightNorm, updateNorm: s.updateNorm, updateRatio: s.updateRatio }));
}

/** A named line of (x, y) points, the shape the report module's charts take. */
export interface DiagnosticsSeries {
  name: string;
  points: { x: number; y: number }[];
}

/** One chart to draw: a suggested file name and options in the shape of the report module's `lineChartSvg`. */
export interface DiagnosticsChart {
  file: string;
  spec: { title: string; subtitle?: string; xTitle: string; yTitle: string; logY: boolean; smoothing?: number; series: DiagnosticsSeries[] };
}

const QUANTITIES = [
  { key: "gradNorm", slug: "grad-norm", title: "Gradient norm", yTitle: "‖g‖", logY: true, smoothing: 0.9 },
  { key: "weightNorm", slug: "weight-norm", title: "Weight norm", yTitle: "‖θ‖", logY: false, smoothing: undefined },
  { key: "updateRatio", slug: "update-ratio", title: "Update/weight ratio", yTitle: "‖Δθ‖ / ‖θ‖", logY: true, smoothing: 0.9 },
] as const;

/**
 * Charts from logged diagnostics: one chart per quantity (gradient norm, weight norm,
 * update/weight ratio) and layer, with one series per run, so optimizers are compared layer by
 * layer. `runs` pairs a run's name (e.g. the optimizer) with its records as logged: flat objects
 * with `step`, the layer under `layer` (diagnosticsRecords) or `name` (a LayerStats spread in),
 * and the numbers. Pass runs in the same order as to the other charts so each keeps its colour.
 */
export function diagnosticsSeries(runs: Iterable<readonly [string, readonly Record<string, unknown>[]]>): DiagnosticsChart[] {
  const layers: string[] = [];
  const byLayer = new Map<string, Map<string, Record<string, unknown>[]>>();
  const runNames: string[] = [];
  for (const [run, records] of runs) {
    runNames.push(run);
    for (const r of records) {
      const layer = String(r.layer ?? r.name ?? "");
      if (!byLayer.has(layer)) {
        layers.push(layer);
        byLayer.set(layer, new Map());
      }
      const perRun = byLayer.get(layer)!;
      if (!perRun.has(run)) perRun.set(run, []);
      perRun.get(run)!.push(r);
    }
  }
  const charts: DiagnosticsChart[] = [];
  for (const q of QUANTITIES) {
    for (const layer of layers) {
      const series = runNames.map((run) => ({
        name: run,
        points: (byLayer.get(layer)!.get(run) ?? []).map((r) => ({ x: Number(r.step), y: typeof r[q.key] === "number" ? (r[q.key] as number) : NaN })),
      }));
      charts.push({
        file: `diagnostics-${q.slug}-${layer.replace(/[^A-Za-z0-9_-]+/g, "_")}.svg`,
        spec: {
          title: `${q.title}, layer ${layer}`,
          ...(q.key === "updateRatio" ? { subtitle: "per step; the rule of thumb is about 1e-3" } : {}),
          xTitle: "iteration",
          yTitle: q.yTitle,
          logY: q.logY,
          ...(q.smoothing !== undefined ? { smoothing: q.smoothing } : {}),
          series,
        },
      });
    }
  }
  return charts;
}

/** One line for a log: "0: ‖g‖ 1.2e-2 ‖θ‖ 9.1e+0 Δ/θ 1.1e-3 · 2: …". */
export function formatDiagnostics(stats: readonly LayerStats[]): string {
  const e = (v: number) => v.toExponential(1);
  return stats.map((s) => `${s.name}: ‖g‖ ${e(s.gradNorm)} ‖θ‖ ${e(s.weightNorm)} Δ/θ ${e(s.updateRatio)}`).join(" · ");
}

/** A warning per layer whose update/weight ratio is outside `band` (default UPDATE_RATIO_BAND around 1e-3). */
export function ratioWarnings(stats: readonly LayerStats[], band: readonly [number, number] = UPDATE_RATIO_BAND): string[] {
  const out: string[] = [];
  for (const s of stats) {
    if (s.updateRatio > band[1]) out.push(`${s.name}: update/weight ratio ${s.updateRatio.toExponential(1)} > ${band[1]} (the lr may be too high)`);
    else if (s.updateRatio < band[0] && s.gradNorm > 0) out.push(`${s.name}: update/weight ratio ${s.updateRatio.toExponential(1)} < ${band[0]} (the layer barely moves; the lr may be too low)`);
  }
  return out;
}
