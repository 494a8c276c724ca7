// Tests of the plain-text tables and number formatting of src/report.

import { describe, expect, it } from "vitest";
import { formatTable } from "../src/report/table.ts";
import {
  displayWidth,
  formatExp,
  formatFixed,
  formatInteger,
  formatNumber,
  formatPercent,
  formatSeconds,
} from "../src/report/format.ts";

const columns = [{ header: "optimizer" }, { header: "lr" }, { header: "test acc", format: (v: number) => formatPercent(v) }];
const rows = [
  ["adam", 0.001, 0.9781],
  ["sgd", 0.1, 0.9612],
  ["adadelta", 1, NaN],
];

describe("formatTable", () => {
  it("draws a box with every line the same width", () => {
    const lines = formatTable(columns, rows).split("\n");
    expect(lines).toHaveLength(3 + rows.length + 1); // top, header, rule, rows, bottom
    expect(new Set(lines.map(displayWidth)).size).toBe(1);
    expect(lines[0].startsWith("┌")).toBe(true);
    expect(lines.at(-1)!.startsWith("└")).toBe(true);
  });

  it("left-aligns text columns and right-aligns number columns", () => {
    const lines = formatTable(columns, rows).split("\n");
    expect(lines[1]).toBe("│ optimizer │    lr │ test acc │");
    expect(lines[3]).toBe("│ adam      │ 0.001 │   97.81% │");
    expect(lines[5]).toBe("│ adadelta  │     1 │      NaN │");
  });

  it("obeys an explicit alignment and leaves null cells empty", () => {
    const t = formatTable([{ header: "name", align: "right" }, { header: "note", align: "left" }], [["a", null], ["bbb", "x"]]);
    expect(t.split("\n")[3]).toBe("│    a │      │");
  });

  it("writes a Markdown table, escaping pipes", () => {
    const t = formatTable([{ header: "name" }, { header: "loss" }], [["a|b", 0.5]], { style: "markdown", title: "## Results" });
    expect(t.split("\n")).toEqual(["## Results", "| name | loss |", "| ---- | ---: |", "| a\\|b |  0.5 |"]);
  });

  it("measures width without colour codes", () => {
    const t = formatTable([{ header: "s" }], [["\x1b[31mred\x1b[0m"], ["plain"]]);
    expect(t.split("\n")[3]).toBe("│ \x1b[31mred\x1b[0m   │");
  });

  it("rejects a row longer than the header", () => {
    expect(() => formatTable([{ header: "a" }], [[1, 2]])).toThrow("row 0 has 2 cells but there are 1 columns");
  });
});

describe("number formatting", () => {
  it.each([
    ["formatFixed(0.123456, 4)", formatFixed(0.123456, 4), "0.1235"],
    ["formatExp(0.001)", formatExp(0.001), "1e-3"],
    ["formatExp(0.00025, 1)", formatExp(0.00025, 1), "2.5e-4"],
    ["formatExp(12345)", formatExp(12345), "1.23e4"],
    ["formatPercent(0.97812)", formatPercent(0.97812), "97.81%"],
    ["formatInteger(12345.6)", formatInteger(12345.6), "12,346"],
    ["formatSeconds(0.842)", formatSeconds(0.842), "0.84 s"],
    ["formatSeconds(12.34)", formatSeconds(12.34), "12.3 s"],
    ["formatSeconds(125)", formatSeconds(125), "2m 05s"],
    ["formatSeconds(3725)", formatSeconds(3725), "1h 02m"],
    ["formatNumber(0.0712345)", formatNumber(0.0712345), "0.07123"],
    ["formatNumber(0.0005)", formatNumber(0.0005), "5e-4"],
    ["formatNumber(42)", formatNumber(42), "42"],
    ["formatNumber(NaN)", formatNumber(NaN), "NaN"],
    ["formatPercent(Infinity)", formatPercent(Infinity), "Inf"],
    ["formatFixed(-Infinity)", formatFixed(-Infinity), "-Inf"],
  ])("%s", (_call, got, want) => expect(got).toBe(want));
});
