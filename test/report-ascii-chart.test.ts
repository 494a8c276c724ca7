// Tests of the terminal line charts of src/report.

import { describe, expect, it } from "vitest";
import { asciiLineChart } from "../src/report/ascii-chart.ts";
import { stripAnsi } from "../src/report/format.ts";

const decay = (n: number, rate: number) => Array.from({ length: n }, (_, i) => 2.3 * Math.exp(-i / rate) + 0.05);

describe("asciiLineChart", () => {
  it("has a title, height + 1 plot rows, an x-axis line and a legend line", () => {
    const chart = asciiLineChart(
      [{ name: "adam", values: decay(500, 100) }, { name: "sgd", values: decay(500, 300) }],
      { height: 10, width: 80, title: "Training loss", xTitle: "iteration", color: false },
    );
    const lines = chart.split("\n");
    expect(lines).toHaveLength(1 + 11 + 1 + 1);
    expect(lines[0]).toBe("Training loss");
    expect(lines[12]).toMatch(/^\s+0\s+iteration\s+499$/);
    expect(lines[13]).toMatch(/── adam\s+── sgd$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("labels the y axis with the data's range, in values even on a log scale", () => {
    const lines = asciiLineChart([{ name: "loss", values: [100, 10, 1, 0.1] }], { height: 3, logScale: true, color: false }).split("\n");
    expect(lines[0].trim().startsWith("100")).toBe(true);
    expect(lines[3].trim().startsWith("0.1")).toBe(true);
  });

  it("downsamples a long series to the width", () => {
    const lines = asciiLineChart([{ name: "long", values: decay(100_000, 20_000) }], { height: 5, width: 60, color: false }).split("\n");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  });

  it("draws a series that turns NaN up to where it did, and says so in the legend", () => {
    const values = decay(200, 50).map((v, i) => (i >= 120 ? NaN : i === 40 ? Infinity : v));
    const chart = asciiLineChart([{ name: "nag", values }, { name: "adam", values: decay(200, 80) }], { height: 8, color: false });
    const lines = chart.split("\n");
    expect(lines).toHaveLength(9 + 2);
    expect(lines.at(-1)).toContain("nag (non-finite from #40)");
    expect(chart).not.toContain("NaN");
  });

  it("copes with a series with no finite value", () => {
    const chart = asciiLineChart([{ name: "broken", values: [NaN, NaN] }], { color: false });
    expect(chart).toContain("no finite values");
  });

  it("colours each series, legend included, only when asked", () => {
    const series = [{ name: "a", values: [1, 2, 3] }, { name: "b", values: [3, 2, 1] }];
    const coloured = asciiLineChart(series, { height: 4, color: true });
    expect(coloured).toContain("\x1b[34m");
    expect(coloured).toContain("\x1b[32m");
    expect(stripAnsi(coloured)).toBe(asciiLineChart(series, { height: 4, color: false }));
  });
});
