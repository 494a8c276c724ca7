// Tests of the run folder and the metrics files of src/report.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunDir, parseMetrics, readMetrics, RunRecorder } from "../src/report/metrics.ts";

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "ndgrad-report-"));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** RFC 4180 CSV, enough for the tests: quoted cells with doubled quotes, commas and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\n") row.push(cell), rows.push(row), (row = []), (cell = "");
    else cell += c;
  }
  return rows;
}

describe("createRunDir", () => {
  it("names the folder prefix-YYYYMMDD-HHMMSS and never reuses one", () => {
    const now = new Date(2025, 0, 2, 3, 4, 5);
    const a = createRunDir(join(base, "runs"), "mnist", now);
    const b = createRunDir(join(base, "runs"), "mnist", now);
    expect(basename(a)).toBe("mnist-20250102-030405");
    expect(basename(b)).toBe("mnist-20250102-030405-2");
    expect(readdirSync(join(base, "runs")).sort()).toEqual(["mnist-20250102-030405", "mnist-20250102-030405-2"]);
  });
});

describe("RunRecorder", () => {
  function sampleRun() {
    const run = new RunRecorder(join(base, "run"), { optimizers: ["adam", "nag"], epochs: 2, seed: 7 });
    run.log("adam/train", { step: 1, epoch: 1, loss: 2.31 });
    run.log("adam/train", { step: 2, epoch: 1, loss: 1.2 });
    run.log("adam/test", { epoch: 1, accuracy: 0.91 });
    run.log("nag/train", { step: 1, epoch: 1, loss: Infinity });
    run.log("nag/train", { step: 2, epoch: 1, loss: NaN, note: 'diverged, "badly"' });
    run.log("nag/train", { step: 3, epoch: 1, loss: -Infinity, note: null });
    run.summary("adam", { lr: 0.001, finalLoss: 1.2, testAccuracy: 0.91, divergedAt: null });
    run.summary("nag", { lr: 0.5, finalLoss: NaN, divergedAt: 1 });
    return run;
  }

  it("writes metrics.json that parses back to what was logged, NaN and Infinity included", () => {
    const run = sampleRun();
    const { json } = run.finish();
    const file = readMetrics(json);
    expect(file.format).toBe("ndgrad-metrics/1");
    expect(file.seed).toBe(7);
    expect(file.config).toEqual({ optimizers: ["adam", "nag"], epochs: 2, seed: 7 });
    expect(file.versions.ndgrad).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
    expect(file.versions.node).toBe(process.version);
    expect(Date.parse(file.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(file.startedAt));
    expect(file.series["adam/train"]).toEqual([{ step: 1, epoch: 1, loss: 2.31 }, { step: 2, epoch: 1, loss: 1.2 }]);
    expect(file.series["adam/test"]).toEqual([{ epoch: 1, accuracy: 0.91 }]);
    expect(file.series["nag/train"].map((r) => r.loss)).toEqual([Infinity, NaN, -Infinity]);
    expect(file.series["nag/train"][2].note).toBeNull();
    expect(file.summaries.nag).toEqual({ lr: 0.5, finalLoss: NaN, divergedAt: 1 });
    expect(file.summaries.adam.divergedAt).toBeNull();
  });

  it("writes non-finite numbers as the strings NaN, Infinity, -Infinity in the JSON text", () => {
    const run = sampleRun();
    run.save();
    const raw = JSON.parse(readFileSync(join(run.dir, "metrics.json"), "utf8"));
    expect(raw.series["nag/train"].map((r: { loss: unknown }) => r.loss)).toEqual(["Infinity", "NaN", "-Infinity"]);
    expect(raw.finishedAt).toBeNull();
    expect(parseMetrics(JSON.stringify(raw)).series["nag/train"][1].loss).toBeNaN();
  });

  it("writes metrics.csv with one row per record and the union of the keys as columns", () => {
    const run = sampleRun();
    run.save();
    const rows = parseCsv(readFileSync(join(run.dir, "metrics.csv"), "utf8"));
    expect(rows[0]).toEqual(["series", "step", "epoch", "loss", "accuracy", "note"]);
    expect(rows.slice(1)).toEqual([
      ["adam/train", "1", "1", "2.31", "", ""],
      ["adam/train", "2", "1", "1.2", "", ""],
      ["adam/test", "", "1", "", "0.91", ""],
      ["nag/train", "1", "1", "Infinity", "", ""],
      ["nag/train", "2", "1", "NaN", "", 'diverged, "badly"'],
      ["nag/train", "3", "1", "-Infinity", "", ""],
    ]);
  });

  it("keeps a copy of each record, so later changes by the caller do not leak in", () => {
    const run = new RunRecorder(join(base, "run"));
    const rec = { step: 1, loss: 1 };
    run.log("train", rec);
    rec.loss = 99;
    expect(run.records("train")).toEqual([{ step: 1, loss: 1 }]);
  });

  it("gives chart points from two keys of a series", () => {
    const run = sampleRun();
    expect(run.points("nag/train", "step", "loss")).toEqual([
      { x: 1, y: Infinity },
      { x: 2, y: NaN },
      { x: 3, y: -Infinity },
    ]);
    expect(run.points("adam/test", "epoch", "missing")).toEqual([{ x: 1, y: NaN }]);
    expect(run.seriesNames()).toEqual(["adam/train", "adam/test", "nag/train"]);
  });

  it("writes other files atomically into the run folder, leaving no temporary file", () => {
    const run = sampleRun();
    const path = run.writeFile("loss.svg", "<svg></svg>");
    run.save();
    run.save();
    expect(readFileSync(path, "utf8")).toBe("<svg></svg>");
    expect(readdirSync(run.dir).sort()).toEqual(["loss.svg", "metrics.csv", "metrics.json"]);
  });
});
