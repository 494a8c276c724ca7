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
import { parseArgs } from "node:util";
import { optim } from "../src/index.ts";
import { createRunDir, formatExp, formatTable, RunRecorder, type Cell } from "../src/report/index.ts";
import { trajectoryAnimationHtml, trajectoryChartSvg, type AnimationPanel, type TrajectoryPath } from "../src/report/trajectory-chart.ts";
import { contourField } from "./optimizers-2d/contours.ts";
import { FUNCTION_NAMES, testFunctions, type TestFunction } from "./optimizers-2d/functions.ts";
import { BLOW_UP, OPTIMIZERS, outcome, runOptimizer, type Outcome } from "./optimizers-2d/race.ts";
import { describeSearch, searchLr, type SearchOptions } from "./optimizers-2d/search.ts";

const USAGE = `Usage: npx tsx examples/optimizers-2d.ts [options]

Races optimizers on 2-D test functions, each at its own learning rate (a seeded search), and
draws every path over the function's contours.

Options:
  --functions LIST    comma-separated, from: ${FUNCTION_NAMES.join(", ")} (default: all)
  --optimizers LIST   comma-separated registry names (default: ${OPTIMIZERS.join(", ")})
  --lr NAME=VALUE     use this lr for optimizer NAME on every function instead of searching
                      (repeatable, or comma-separated: --lr adam=0.1,sgd=0.001)
  --steps N           steps per run, search included (default: per function, see below)
  --kappa K           condition number of the quadratic x² + K·y² (default 10)
  --tol T             "reached the minimum" means within distance T of it (default 1e-3)
  --seed S            seed of the lr search's random samples (default 0)
  --samples N         random lrs per optimizer and function, beside the grid (default 3)
  --out DIR           output folder (default runs/optimizers-2d-<timestamp>)
  --html              also write optimizers-2d.html, a page that animates the paths step by step
  -h, --help          show this help

Default steps: ${testFunctions().map((f) => `${f.name} ${f.steps}`).join(", ")}.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}\n\nValid optimizers: ${optim.available().join(", ")}\nValid functions: ${FUNCTION_NAMES.join(", ")}`);
  process.exit(2);
}

function parseFlags() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        functions: { type: "string" },
        optimizers: { type: "string" },
        lr: { type: "string", multiple: true },
        steps: { type: "string" },
        kappa: { type: "string", default: "10" },
        tol: { type: "string", default: "1e-3" },
        seed: { type: "string", default: "0" },
        samples: { type: "string", default: "3" },
        out: { type: "string" },
        html: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const list = (s: string | undefined) => (s ?? "").split(",").map((v) => v.trim().toLowerCase()).filter((v) => v !== "");
  const number = (flag: string, s: string, ok: (v: number) => boolean, rule: string) => {
    const v = Number(s);
    if (s.trim() === "" || !ok(v)) fail(`Invalid --${flag} value: ${s} (${rule})`);
    return v;
  };

  const optimizers = parsed.optimizers === undefined ? [...OPTIMIZERS] : list(parsed.optimizers);
  for (const name of optimizers) if (!optim.available().includes(name)) fail(`Unknown optimizer: ${name}`);
  if (optimizers.length === 0) fail("--optimizers needs at least one name");
  const functionNames = parsed.functions === undefined ? [...FUNCTION_NAMES] : list(parsed.functions);
  for (const name of functionNames) if (!(FUNCTION_NAMES as readonly string[]).includes(name)) fail(`Unknown function: ${name}`);
  if (functionNames.length === 0) fail("--functions needs at least one name");

  const lrOverrides = new Map<string, number>();
  for (const item of (parsed.lr ?? []).flatMap((s) => s.split(","))) {
    const [name, value] = item.split("=").map((s) => s.trim());
    if (value === undefined) fail(`Invalid --lr value: ${item} (expected NAME=VALUE, e.g. adam=0.01)`);
    if (!optim.available().includes(name.toLowerCase())) fail(`Unknown optimizer in --lr: ${name}`);
    lrOverrides.set(name.toLowerCase(), number("lr", value, (v) => v > 0 && Number.isFinite(v), "must be a positive number"));
  }

  return {
    optimizers,
    functionNames,
    lrOverrides,
    steps: parsed.steps === undefined ? undefined : number("steps", parsed.steps, (v) => Number.isInteger(v) && v > 0, "must be a positive integer"),
    kappa: number("kappa", parsed.kappa, (v) => v >= 1 && Number.isFinite(v), "must be a number >= 1"),
    tol: number("tol", parsed.tol, (v) => v > 0 && Number.isFinite(v), "must be a positive number"),
    seed: number("seed", parsed.seed, Number.isInteger, "must be an integer"),
    samples: number("samples", parsed.samples, (v) => Number.isInteger(v) && v >= 0, "must be an integer >= 0"),
    out: parsed.out,
    html: parsed.html,
  };
}

const flags = parseFlags();
const all = testFunctions(flags.kappa);
const functions = all.filter((f) => flags.functionNames.includes(f.name));
const quadratic = all.find((f) => f.name === "quadratic")!;
const outDir = flags.out ?? createRunDir("runs", "optimizers-2d");
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
  writeFileSync(svgPath, await trajectoryChartSvg(field, paths, options));
  console.log(`wrote ${svgPath}`);
  if (flags.html) panels.push({ field, paths, options, notes: table });
}

writeFileSync(join(outDir, "tables.md"), `${describeSearch(searchOptions(quadratic))}\n\n${markdown.join("\n")}`);
if (flags.html) {
  const htmlPath = join(outDir, "optimizers-2d.html");
  writeFileSync(htmlPath, await trajectoryAnimationHtml(panels, "ndgrad: optimizers on 2-D test functions"));
  console.log(`wrote ${htmlPath} (open it in a browser: play, pause, step)`);
}
const files = recorder.finish();
console.log(`wrote ${files.json} and ${join(outDir, "tables.md")}`);

/** One table row: lr, how fast, where it ended, and whether it blew up. */
function row(fn: TestFunction, r: Outcome, choice: Choice, blownUpAt: number | null): Cell[] {
  const reached = r.stepsToTarget ?? "—";
  if (fn.minimum === null) {
    const note = blownUpAt !== null ? `ran off past |θ| = ${BLOW_UP} at step ${blownUpAt}` : r.stepsToTarget === null ? "still on the ridge" : "";
    return [r.optimizer, formatExp(r.lr, 2), choice.from, reached, formatExp(r.finalDistance, 2), note];
  }
  const status = r.divergedAt !== null ? `diverged at step ${r.divergedAt}` : r.finalDistance <= flags.tol ? "converged" : r.stepsToTarget !== null ? "reached, then left" : "not within tol";
  return [r.optimizer, formatExp(r.lr, 2), choice.from, reached, formatExp(r.finalDistance, 2), formatExp(r.finalValue - fn.fMin, 2), status];
}
