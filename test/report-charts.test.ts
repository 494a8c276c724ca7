// Tests of the vega-lite line charts of src/report: the spec, the smoothing and the SVG rendering.

import { describe, expect, it } from "vitest";
import { emaSmooth, lineChartSpec, lineChartSvg, SERIES_COLORS, type LineChartOptions } from "../src/report/charts.ts";

const curve = (n: number, rate: number) => Array.from({ length: n }, (_, i) => ({ x: i + 1, y: 2.3 * Math.exp(-i / rate) + 0.05 }));

const lossChart: LineChartOptions = {
  title: "Training loss",
  xTitle: "iteration",
  yTitle: "cross-entropy loss",
  logY: true,
  smoothing: 0.9,
  series: [
    { name: "adam", points: curve(300, 50) },
    { name: "sgd", points: curve(300, 150) },
    { name: "rmsprop", points: curve(300, 40).map((p) => (p.x > 200 ? { x: p.x, y: NaN } : p)) },
  ],
};

// The spec is plain JSON; reading it through `any` keeps the tests short.
const spec = lineChartSpec(lossChart) as any;
const layerRows = (i: number) => spec.layer[i].data.values as { series: string; x: number; y: number }[];

describe("lineChartSpec", () => {
  it("has the title, the axis titles and a log y scale", () => {
    expect(spec.title).toBe("Training loss");
    expect(spec.encoding.x.title).toBe("iteration");
    expect(spec.encoding.y.title).toBe("cross-entropy loss");
    expect(spec.encoding.y.scale.type).toBe("log");
  });

  it("gives each series its own colour, in the order given", () => {
    expect(spec.encoding.color.field).toBe("series");
    expect(spec.encoding.color.scale.domain).toEqual(["adam", "sgd", "rmsprop"]);
    expect(spec.encoding.color.scale.range).toEqual(SERIES_COLORS.slice(0, 3));
    expect(new Set(spec.encoding.color.scale.range).size).toBe(3);
  });

  it("draws the raw points faintly behind the smoothed line", () => {
    expect(spec.layer).toHaveLength(2);
    expect(spec.layer[0].mark.opacity).toBeLessThan(1);
    expect(layerRows(0).find((r) => r.series === "sgd" && r.x === 10)!.y).toBeCloseTo(lossChart.series[1].points[9].y);
    expect(layerRows(1).find((r) => r.series === "sgd" && r.x === 10)!.y).toBeGreaterThan(lossChart.series[1].points[9].y);
  });

  it("drops points a log scale cannot show", () => {
    const rows = layerRows(1).filter((r) => r.series === "rmsprop");
    expect(rows).toHaveLength(200);
    const s = lineChartSpec({ ...lossChart, smoothing: 0, series: [{ name: "a", points: [{ x: 1, y: 0 }, { x: 2, y: -1 }, { x: 3, y: 1 }] }] });
    expect((s as any).layer).toHaveLength(1);
    expect((s as any).layer[0].data.values).toEqual([{ series: "a", x: 3, y: 1 }]);
  });

  it("keeps at most maxPoints per line, the last one included", () => {
    const s = lineChartSpec({ ...lossChart, series: [{ name: "long", points: curve(10_000, 2000) }], maxPoints: 500 }) as any;
    const rows = s.layer[1].data.values;
    expect(rows.length).toBeLessThanOrEqual(501);
    expect(rows.at(-1).x).toBe(10_000);
  });

  it("marks points and ticks integers on a short x range such as epochs", () => {
    const s = lineChartSpec({ title: "Test accuracy", xTitle: "epoch", yTitle: "accuracy", yFormat: ".1%", series: [{ name: "adam", points: [1, 2, 3].map((e) => ({ x: e, y: 0.9 + e / 100 })) }] }) as any;
    expect(s.layer[0].mark.point).toBe(true);
    expect(s.encoding.x.axis.values).toEqual([1, 2, 3]);
    expect(s.encoding.y.axis.format).toBe(".1%");
    expect(s.encoding.y.scale.type).toBeUndefined();
  });
});

describe("emaSmooth", () => {
  it("is debiased, so a constant stays constant from the first value", () => {
    for (const v of emaSmooth([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 12);
  });

  it("follows TensorBoard's formula", () => {
    const [a, b] = emaSmooth([1, 3], 0.5);
    expect(a).toBe(1);
    expect(b).toBeCloseTo((0.25 * 1 + 0.5 * 3) / 0.75, 12);
  });

  it("passes non-finite values through without letting them in", () => {
    const out = emaSmooth([1, NaN, 1], 0.9);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1, 12);
  });

  it("rejects a weight outside [0, 1)", () => {
    expect(() => emaSmooth([1], 1)).toThrow("emaSmooth: invalid smoothing weight 1 (must be in [0, 1))");
  });
});

describe("lineChartSvg", () => {
  it("renders an SVG with the titles and the series names", async () => {
    const svg = await lineChartSvg(lossChart);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    for (const text of ["Training loss", "iteration", "cross-entropy loss", "adam", "sgd", "rmsprop"]) {
      expect(svg).toContain(`>${text}</text>`);
    }
    for (const colour of SERIES_COLORS.slice(0, 3)) expect(svg).toContain(colour);
  });
});
