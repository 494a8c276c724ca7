// The optimizer race on 2-D test functions: every optimizer at its own searched lr, drawn over the contours, with a table.
//
//   npx tsx examples/optimizers-2d.ts                       all ten optimizers on all five functions
//   npx tsx examples/optimizers-2d.ts --functions saddle,rosenbrock --optimizers sgd,momentum,adam --html
//   npx tsx examples/optimizers-2d.ts --lr adam=0.05 --lr sgd=0.002
//
// Writes <fn>.svg per function, metrics.json, tables.md and (with --html) optimizers-2d.html into
// runs/optimizers-2d-<timestamp>/ or --out.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { optim } from "../src/index.ts";
import { createRunDir, DivergenceCheck, formatExp, formatTable, RunRecorder, type Cell } from "../src/report/index.ts";
import { trajectoryAnimationHtml, trajectoryChartSvg, type AnimationPanel, type TrajectoryPath } from "../src/report/trajectory-chart.ts";
import { contourField } from "./optimizers-2d/contours.ts";
import { FUNCTION_NAMES, testFunctions, type TestFunction } from "./optimizers-2d/functions.ts";
import { BLOW_UP, outcome, runOptimizer, type Outcome } from "./optimizers-2d/race.ts";
import { describeSearch, searchLr, type SearchOptions } from "./optimizers-2d/search.ts";
import { commandLine, integer, listOf, namedNumbers, number } from "./lib/cli.ts";
import { doing, exitStatus, explainCrashes, makeOutDir, orExit, tryWrite } from "./lib/failures.ts";

/** Optimizers left out by default: what they change is not there when the parameters are two scalars. */
const NOT_FOR_SCALARS: Record<string, string> = {
  muon: "it orthogonalizes weight matrices and hands scalars to AdamW",
};
const DEFAULT_OPTIMIZERS = optim.available().filter((name) => !(name in NOT_FOR_SCALARS));

const COMMAND = {
  usage: "npx tsx examples/optimizers-2d.ts [flags]",
  about: "Races optimizers on 2-D test functions, each at its own learning rate (a seeded search), and\ndraws every path over the function's contours.",
  flags: {
    functions: { type: "string", arg: "LIST", help: `comma-separated, from: ${FUNCTION_NAMES.join(", ")} (default: all)` },
    optimizers: { type: "string", arg: "LIST", help: `comma-separated registry names (default: ${DEFAULT_OPTIMIZERS.join(", ")};\nleft out: ${Object.entries(NOT_FOR_SCALARS).map(([name, why]) => `${name}, as ${why}`).join("; ")})` },
    lr: { type: "string", arg: "NAME=VALUE", multiple: true, help: "use this lr for optimizer NAME on every function instead of searching\n(repeatable, or comma-separated: --lr adam=0.1,sgd=0.001)" },
    steps: { type: "string", arg: "N", help: "steps per run, search included (default: per function, see below)" },
    kappa: { type: "string", arg: "K", help: "condition number of the quadratic x² + K·y² (default 10)" },
    tol: { type: "string", arg: "T", help: '"reached the minimum" means within distance T of it (default 1e-3)' },
    seed: { type: "string", arg: "S", help: "seed of the lr search's random samples (default 0)" },
    samples: { type: "string", arg: "N", help: "random lrs per optimizer and function, beside the grid (default 3)" },
    out: { type: "string", arg: "DIR", help: "output folder (default runs/optimizers-2d-<timestamp>)" },
    html: { type: "boolean", help: "also write optimizers-2d.html, a page that animates the paths step by step" },
  },
  notes: `Default steps: ${testFunctions().map((f) => `${f.name} ${f.steps}`).join(", ")}.\n${new DivergenceCheck().describe()} (f − f*), or a point beyond |θ| = ${BLOW_UP}.`,
} as const;

explainCrashes("examples/optimizers-2d.ts");
const flags = commandLine(COMMAND, (v) => ({
  optimizers: v.optimizers === undefined ? DEFAULT_OPTIMIZERS : listOf("optimizers", v.optimizers, optim.available(), "optimizer"),
  functionNames: v.functions === undefined ? [...FUNCTION_NAMES] as string[] : listOf("functions", v.functions, FUNCTION_NAMES, "function") as string[],
  lrOverrides: namedNumbers("lr", v.lr, optim.available(), "optimizer"),
  steps: v.steps === undefined ? undefined : integer("steps", v.steps, 0),
  kappa: number("kappa", v.kappa, 10, (k) => k >= 1, "must be a number >= 1"),
  tol: number("tol", v.tol, 1e-3, (t) => t > 0, "must be a number > 0"),
  seed: integer("seed", v.seed, 0, -Infinity),
  samples: integer("samples", v.samples, 3, 0),
  out: v.out,
  html: v.html,
}));

const all = testFunctions(flags.kappa);
const functions = all.filter((f) => flags.functionNames.includes(f.name));
const quadratic = all.find((f) => f.name === "quadratic")!;
const outDir = orExit(`create the output folder "${flags.out ?? "runs"}"`, () => makeOutDir(flags.out, "optimizers-2d"), "--out");
const recorder = new RunRecorder(outDir, { ...flags, lrOverrides: Object.fromEntries(flags.lrOverrides) }, { seed: flags.seed });
const stepsOf = (fn: TestFunction) => flags.steps ?? fn.steps;
const searchOptions = (fn: TestFunction): SearchOptions => ({ seed: flags.seed, samples: flags.samples, run: { steps: stepsOf(fn) } });

console.log(`optimizers: ${flags.optimizers.join(", ")}`);
console.log(`functions:  ${functions.map((f) => `${f.name} (${stepsOf(f)} steps)`).join(", ")}`);
console.log(describeSearch(searchOptions(quadratic)));
if (flags.lrOverrides.size > 0) console.log(`--lr: ${[...flags.lrOverrides].map(([n, v]) => `${n}=${v}`).join(", ")} (no search for these)`);
console.log();

// Each optimizer's lr on each function: the search's pick, or --lr. The saddle borrows the quadratic's.
type Choice = { lr: number; from: string };
const lrs = new Map<string, Map<string, Choice>>();
const searched = (fn: TestFunction): Map<string, Choice> => {
  const known = lrs.get(fn.name);
  if (known) return known;
  const started = performance.now();
  const choices = new Map<string, Choice>();
  process.stdout.write(`searching lrs on ${fn.name}:`);
  for (const name of flags.optimizers) {
    doing({ function: fn.name, optimizer: name, searching: "lr" });
    const fixed = flags.lrOverrides.get(name);
    choices.set(name, fixed !== undefined ? { lr: fixed, from: "--lr" } : { lr: searchLr(fn, name, searchOptions(fn)).lr, from: "search" });
    process.stdout.write(` ${name}`);
  }
  console.log(` (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  lrs.set(fn.name, choices);
  return choices;
};
for (const fn of functions) {
  if (fn.minimum !== null) searched(fn);
  else {
    const borrowed = searched(quadratic);
    lrs.set(fn.name, new Map([...borrowed].map(([name, c]) => [name, { lr: c.lr, from: c.from === "--lr" ? "--lr" : "quadratic" }])));
  }
}
console.log();
console.log(formatTable(
  [{ header: "lr" }, ...functions.map((f) => ({ header: f.name, format: (v: number) => formatExp(v, 2) }))],
  flags.optimizers.map((name) => [name, ...functions.map((f) => lrs.get(f.name)!.get(name)!.lr)]),
  { title: "Chosen learning rates (the saddle uses the quadratic's)" },
));

const panels: AnimationPanel[] = [];
const markdown: string[] = [];
for (const fn of functions) {
  const steps = stepsOf(fn);
  const rows: Cell[][] = [];
  const paths: TrajectoryPath[] = [];
  for (const name of flags.optimizers) {
    const choice = lrs.get(fn.name)!.get(name)!;
    doing({ function: fn.name, optimizer: name, searching: null });
    const traj = runOptimizer(fn, name, choice.lr, { steps });
    const result = outcome(fn, traj, flags.tol);
    recorder.summary(`${fn.name}/${name}`, { ...result, lrFrom: choice.from, steps: traj.steps, blownUpAt: traj.blownUpAt });
    rows.push(row(fn, result, choice, traj.blownUpAt));
    paths.push({ label: `${name} · lr ${formatExp(choice.lr, 2)}`, xs: traj.xs, ys: traj.ys });
  }
  const columns = fn.minimum === null
    ? ["optimizer", "lr", "lr from", `steps to |y| > ${fn.ridgeThreshold}`, "|y| at the end", "note"]
    : ["optimizer", "lr", "lr from", `steps to within ${flags.tol}`, "final distance", "final f − f*", "status"];
  const title = fn.minimum === null
    ? `${fn.name}: ${fn.formula}, start (${fn.start.join(", ")}), ${steps} steps — no minimum: how fast each leaves the ridge y = 0`
    : `${fn.name}: ${fn.formula}, start (${fn.start.join(", ")}), minimum (${fn.minimum.join(", ")}), ${steps} steps`;
  const table = formatTable(columns.map((header) => ({ header })), rows, { title });
  console.log(`\n${table}`);
  markdown.push(`### ${fn.name}\n\n${formatTable(columns.map((header) => ({ header })), rows, { style: "markdown", title })}\n`);

  const field = contourField(fn);
  const options = {
    title: `${fn.name[0].toUpperCase()}${fn.name.slice(1)}: ${fn.formula}`,
    subtitle: [
      fn.minimum === null
        ? `start (${fn.start.join(", ")}) on the ridge · ${steps} steps · contours: symmetric-log-spaced levels of f`
        : `start (${fn.start.join(", ")}) · minimum (${fn.minimum.join(", ")}) · ${steps} steps · contours: log-spaced levels of f − f*`,
      "each optimizer at its own lr (seeded search; the saddle borrows the quadratic's)",
    ],
    start: fn.start,
    minimum: fn.minimum,
  };
  const svgPath = join(outDir, `${fn.name}.svg`);
  const svg = await trajectoryChartSvg(field, paths, options);
  if (tryWrite(`the chart of ${fn.name}`, svgPath, "--out", () => writeFileSync(svgPath, svg))) console.log(`wrote ${svgPath}`);
  if (flags.html) panels.push({ field, paths, options, notes: table });
}

doing({ function: null, optimizer: null });
const tablesPath = join(outDir, "tables.md");
tryWrite("the tables", tablesPath, "--out", () => writeFileSync(tablesPath, `${describeSearch(searchOptions(quadratic))}\n\n${markdown.join("\n")}`));
if (flags.html) {
  const htmlPath = join(outDir, "optimizers-2d.html");
  const html = await trajectoryAnimationHtml(panels, "ndgrad: optimizers on 2-D test functions");
  if (tryWrite("the animation", htmlPath, "--out", () => writeFileSync(htmlPath, html))) console.log(`wrote ${htmlPath} (open it in a browser: play, pause, step)`);
}
if (tryWrite("the metrics", join(outDir, "metrics.json"), "--out", () => recorder.finish())) console.log(`wrote ${join(outDir, "metrics.json")}${exitStatus() === 0 ? ` and ${tablesPath}` : ""}`);
process.exitCode = exitStatus();

/** One table row: lr, how fast, where it ended, and whether it blew up. */
function row(fn: TestFunction, r: Outcome, choice: Choice, blownUpAt: number | null): Cell[] {
  const reached = r.stepsToTarget ?? "—";
  if (fn.minimum === null) {
    const note = blownUpAt !== null ? `ran off past |θ| = ${BLOW_UP} at step ${blownUpAt}` : r.stepsToTarget === null ? "still on the ridge" : "";
    return [r.optimizer, formatExp(r.lr, 2), choice.from, reached, formatExp(r.finalDistance, 2), note];
  }
  const status = r.divergedAt !== null ? `diverged at step ${r.divergedAt}` : r.finalDistance <= flags.tol ? "converged" : r.stepsToTarget !== null ? "reached, then left" : "not within tol";
  const measured = (v: number) => (Number.isFinite(v) ? formatExp(v, 2) : "-");
  return [r.optimizer, formatExp(r.lr, 2), choice.from, reached, measured(r.finalDistance), measured(r.finalValue - fn.fMin), status];
}
