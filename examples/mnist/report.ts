// What examples/mnist.ts shows and keeps after the race: the comparison table, the terminal loss chart, and the SVG charts.

import { asciiLineChart, formatExp, formatFixed, formatPercent, formatTable, lineChartSvg, type DivergenceState, type RunRecorder } from "../../src/report/index.ts";
import { diagnosticsSeries } from "../../src/utils/diagnostics.ts";
import type { MnistConfig } from "./cli.ts";

/** A racer's numbers as it goes (saved in its checkpoints); null marks what was not measured (no accuracy before the first evaluation). */
export interface Racer {
  step: number;
  seconds: number;
  finalLoss: number | null;
  accuracy: number | null;
  best: number | null;
  /** "diverged at step N", or null. */
  diverged: string | null;
  divergence: DivergenceState;
}

export const newRacer = (): Racer => ({ step: 0, seconds: 0, finalLoss: null, accuracy: null, best: null, diverged: null, divergence: { firstLoss: null, aboveSince: null } });

export interface RaceResult extends Racer {
  name: string;
  lr: number;
  samplesPerSec: number;
}

/** "-" for what was not measured, never a made-up 0. */
const measured = (v: number | null, format: (v: number) => string) => (v === null ? "-" : format(v));

/** The comparison table and the loss curves, in the terminal. */
export function printComparison(results: RaceResult[], run: RunRecorder, config: MnistConfig, dataset: string, rule: string): void {
  console.log(
    formatTable(
      [{ header: "optimizer" }, { header: "lr", align: "right" }, { header: "final train loss", align: "right" }, { header: "test accuracy", align: "right" }, { header: "best test accuracy", align: "right" }, { header: "seconds", align: "right" }, { header: "samples/s", align: "right" }],
      results.map((r) => [r.name, formatExp(r.lr), r.diverged ?? measured(r.finalLoss, (v) => formatFixed(v, 4)), r.diverged ? "-" : measured(r.accuracy, formatPercent), measured(r.best, formatPercent), formatFixed(r.seconds, 1), Math.round(r.samplesPerSec)]),
      { title: `${dataset}: ${config.model === "cnn" ? "LeNet-5" : `MLP ${[784, ...config.hidden, 10].join("-")}`}${config.batchnorm ? " + BatchNorm" : ""}, batch ${config.batchSize}, ${config.epochs} epochs, seed ${config.seed}` },
    ),
  );
  if (results.some((r) => r.diverged)) console.log(rule);
  console.log(asciiLineChart(results.map((r) => ({ name: r.name, values: run.records(`${r.name}/train`).map((x) => x.loss as number) })), { logScale: true, title: "training loss per iteration (log scale)", xTitle: "iteration" }));
}

/** loss.svg, accuracy.svg, epoch-loss.svg (and the diagnostics charts), drawn: file name → SVG text, for the run folder. */
export async function drawCharts(run: RunRecorder, config: MnistConfig): Promise<Map<string, string>> {
  const series = (suffix: string, x: string, y: string) => config.optimizers.map((n) => ({ name: n, points: run.points(`${n}/${suffix}`, x, y) }));
  const charts = new Map<string, string>();
  charts.set("loss.svg", await lineChartSvg({ title: "Training loss per iteration", xTitle: "iteration", yTitle: "cross-entropy loss (smoothed)", logY: true, smoothing: 0.95, series: series("train", "step", "loss") }));
  charts.set("accuracy.svg", await lineChartSvg({ title: "Test accuracy per epoch", xTitle: "epoch", yTitle: "test accuracy", yFormat: ".1%", points: true, series: series("epoch", "epoch", "testAccuracy") }));
  charts.set("epoch-loss.svg", await lineChartSvg({ title: "Training cost per epoch", xTitle: "epoch", yTitle: "mean training loss", logY: true, points: true, series: series("epoch", "epoch", "trainLoss") }));
  if (config.diagnostics) {
    for (const chart of diagnosticsSeries(config.optimizers.map((n) => [n, run.records(`${n}/diagnostics`)] as const))) charts.set(chart.file, await lineChartSvg(chart.spec));
  }
  return charts;
}
