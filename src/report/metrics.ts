// The run folder and its machine-readable record: named series of records, written as metrics.json and metrics.csv.

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { checkObject, checkOptions, checkString, given } from "./check.ts";
import type { Point } from "./charts.ts";

/** One value of a record. Numbers may be NaN or ±Infinity (a diverged loss is worth recording). */
export type MetricValue = number | string | boolean | null;
export type MetricRecord = Record<string, MetricValue>;

/** The content of metrics.json. */
export interface MetricsFile {
  format: "ndgrad-metrics/1";
  startedAt: string;
  /** null while the run is in progress (a snapshot saved mid-run). */
  finishedAt: string | null;
  seed: number | null;
  versions: Record<string, string>;
  config: Record<string, unknown>;
  /** One record per name, e.g. the final numbers of each optimizer. */
  summaries: Record<string, MetricRecord>;
  /** Every logged record, by series name, in logging order. */
  series: Record<string, MetricRecord[]>;
}

export interface RunRecorderOptions {
  /** The run's seed; default `config.seed` when that is a number. */
  seed?: number;
  /** Extra version strings to record beside node's and ndgrad's (e.g. a dataset's). */
  versions?: Record<string, string>;
}

/**
 * JSON has no NaN or Infinity, and JSON.stringify would silently turn them into null, losing the
 * difference between "diverged" and "not measured". They are written as the strings "NaN",
 * "Infinity" and "-Infinity" (which Python's float() also reads), and `parseMetrics` turns them
 * back into numbers. null stays null: a value that was not measured.
 */
function encodeNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

function decodeNonFinite(_key: string, value: unknown): unknown {
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return value;
}

/** metrics.json text: readable at the top, one line per record below, so 50,000 steps stay a small file. */
export function formatMetricsJson(file: MetricsFile): string {
  const json = (v: unknown, indent: string) => JSON.stringify(v, encodeNonFinite, 2).replace(/\n/g, `\n${indent}`);
  const { series, ...head } = file;
  const lines = ["{"];
  for (const [key, value] of Object.entries(head)) lines.push(`  ${JSON.stringify(key)}: ${json(value, "  ")},`);
  const names = Object.keys(series);
  lines.push(names.length === 0 ? `  "series": {}` : `  "series": {`);
  names.forEach((name, i) => {
    const records = series[name].map((r) => `      ${JSON.stringify(r, encodeNonFinite)}`);
    const body = records.length === 0 ? "[]" : `[\n${records.join(",\n")}\n    ]`;
    lines.push(`    ${JSON.stringify(name)}: ${body}${i < names.length - 1 ? "," : ""}`);
  });
  if (names.length > 0) lines.push("  }");
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** Reads metrics.json text back, with "NaN"/"Infinity"/"-Infinity" as numbers again. */
export function parseMetrics(text: string, source = "parseMetrics"): MetricsFile {
  checkString(source, "text", text);
  const file = JSON.parse(text, decodeNonFinite) as MetricsFile;
  if (file?.format !== "ndgrad-metrics/1") throw new Error(`${source}: not an ndgrad metrics file (its "format" is ${given(file?.format)}, expected "ndgrad-metrics/1")`);
  return file;
}

export function readMetrics(path: string): MetricsFile {
  checkString("readMetrics", "path", path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`readMetrics "${path}": ${(e as Error).message}`, { cause: e });
  }
  return parseMetrics(text, `readMetrics "${path}"`);
}

function csvCell(v: MetricValue | undefined): string {
  if (v === null || v === undefined) return "";
  // NaN, Infinity and -Infinity are written as such; pandas and Python's float() read them.
  const s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * metrics.csv text: one row per record of every series; the columns are `series` and then the union
 * of the records' keys in first-seen order. A record without a key leaves its cell empty.
 */
export function formatMetricsCsv(series: Record<string, MetricRecord[]>): string {
  checkObject("formatMetricsCsv", "series", series, '{ "adam/train": [{ step: 1, loss: 2.3 }] }');
  const columns = new Set<string>();
  for (const records of Object.values(series)) for (const r of records) for (const k of Object.keys(r)) columns.add(k);
  const keys = [...columns];
  const lines = [["series", ...keys].map(csvCell).join(",")];
  for (const [name, records] of Object.entries(series)) {
    for (const r of records) lines.push([csvCell(name), ...keys.map((k) => csvCell(r[k]))].join(","));
  }
  return lines.join("\n") + "\n";
}

/**
 * Writes through a temporary file in the same directory and a rename, so a reader (or a crash)
 * never sees half a file: rename within one filesystem is atomic.
 */
export function writeFileAtomic(path: string, text: string): void {
  checkString("writeFileAtomic", "path", path);
  checkString("writeFileAtomic", "text", text);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`writeFileAtomic "${path}": ${(err as Error).message}`, { cause: err });
  }
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * Makes and returns a fresh run folder `<baseDir>/<prefix>-YYYYMMDD-HHMMSS` (local time). A second
 * run in the same second gets `-2`, `-3` ...: the folder is claimed by mkdir itself, so two
 * processes cannot both get it.
 */
export function createRunDir(baseDir = "runs", prefix = "mnist", now = new Date()): string {
  checkString("createRunDir", "baseDir", baseDir);
  checkString("createRunDir", "prefix", prefix);
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError(`createRunDir: now must be a valid Date, got ${given(now)}`);
  mkdirSync(baseDir, { recursive: true });
  const stem = join(baseDir, `${prefix}-${timestamp(now)}`);
  for (let i = 1; ; i++) {
    const dir = i === 1 ? stem : `${stem}-${i}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

function ndgradVersion(): string {
  try {
    // By the package's own name, so that it resolves from src/ and from an installed dist/ alike.
    const pkg = createRequire(import.meta.url)("ndgrad/package.json");
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Collects a run's records in memory and writes them into its folder.
 *
 * A series is any named list of flat records — "adam/train" with { step, epoch, loss } per
 * iteration, "adam/test" with { epoch, accuracy } per epoch, later "adam/grad-norm" per layer —
 * so new diagnostics need no new API. `save()` may be called at every epoch: the files are
 * replaced atomically and a crashed run keeps what it had logged.
 */
export class RunRecorder {
  readonly dir: string;
  readonly config: Record<string, unknown>;
  readonly seed: number | null;
  readonly versions: Record<string, string>;
  readonly startedAt = new Date();
  private finishedAt: Date | null = null;
  private readonly data = new Map<string, MetricRecord[]>();
  private readonly summaries = new Map<string, MetricRecord>();

  constructor(dir: string, config: Record<string, unknown> = {}, options: RunRecorderOptions = {}) {
    checkString("RunRecorder", "dir", dir);
    checkObject("RunRecorder", "config", config, "{ epochs: 5 }");
    checkOptions("RunRecorder", options, { seed: true, versions: true }, "an object such as { seed: 0 }");
    this.dir = dir;
    this.config = { ...config };
    this.seed = options.seed ?? (typeof config.seed === "number" ? config.seed : null);
    this.versions = {
      ndgrad: ndgradVersion(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      ...options.versions,
    };
    mkdirSync(dir, { recursive: true });
  }

  /** Appends a copy of `record` to the series `series` (created on first use). */
  log(series: string, record: MetricRecord): void {
    checkString("RunRecorder.log", "series", series);
    checkObject("RunRecorder.log", "record", record, "{ step: 1, loss: 2.3 }");
    let records = this.data.get(series);
    if (!records) this.data.set(series, (records = []));
    records.push({ ...record });
  }

  /** Sets (or replaces) the summary record `name`, e.g. an optimizer's final numbers. */
  summary(name: string, record: MetricRecord): void {
    checkString("RunRecorder.summary", "name", name);
    checkObject("RunRecorder.summary", "record", record, "{ testAccuracy: 0.98 }");
    this.summaries.set(name, { ...record });
  }

  /** The records of a series so far (empty if none were logged). */
  records(series: string): readonly MetricRecord[] {
    return this.data.get(series) ?? [];
  }

  seriesNames(): string[] {
    return [...this.data.keys()];
  }

  /**
   * The (x, y) points of two keys of a series, ready for a chart. A record where either is not a
   * number gives y = NaN (or is skipped, if x is missing), which the charts leave out.
   */
  points(series: string, xKey: string, yKey: string): Point[] {
    const out: Point[] = [];
    for (const r of this.records(series)) {
      const x = r[xKey];
      const y = r[yKey];
      if (typeof x !== "number") continue;
      out.push({ x, y: typeof y === "number" ? y : NaN });
    }
    return out;
  }

  /** Everything recorded, as written to metrics.json. */
  toJSON(): MetricsFile {
    return {
      format: "ndgrad-metrics/1",
      startedAt: this.startedAt.toISOString(),
      finishedAt: this.finishedAt?.toISOString() ?? null,
      seed: this.seed,
      versions: { ...this.versions },
      config: this.config,
      summaries: Object.fromEntries(this.summaries),
      series: Object.fromEntries(this.data),
    };
  }

  /** Writes metrics.json and metrics.csv (atomically); returns their paths. */
  save(): { json: string; csv: string } {
    const file = this.toJSON();
    const json = this.writeFile("metrics.json", formatMetricsJson(file));
    const csv = this.writeFile("metrics.csv", formatMetricsCsv(file.series));
    return { json, csv };
  }

  /** Stamps finishedAt and saves. */
  finish(): { json: string; csv: string } {
    this.finishedAt = new Date();
    return this.save();
  }

  /** Writes a file into the run folder (atomically), e.g. "loss.svg"; returns its path. */
  writeFile(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileAtomic(path, text);
    return path;
  }
}
