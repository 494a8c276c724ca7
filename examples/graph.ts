// The autograd graph of a 2-layer MLP's loss, exported with toDot and drawn to SVG by Graphviz (compiled to WebAssembly, so it runs offline).
//
//   npx tsx examples/graph.ts                  writes runs/graph-<timestamp>/mlp-loss.svg and .dot
//   npx tsx examples/graph.ts --out graphs --in 4 --hidden 3 --classes 2

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { manualSeed, nn, randn, toDot } from "../src/index.ts";
import { createRunDir } from "../src/report/index.ts";

const USAGE = `Usage: npx tsx examples/graph.ts [options]

Builds a 2-layer MLP (Linear, ReLU, Linear), computes its cross-entropy loss on a random batch,
and draws the graph backward() would walk: ops as boxes, parameters and inputs as ellipses.

Options:
  --batch N     batch size (default 8)
  --in N        input features (default 4)
  --hidden N    hidden units (default 16)
  --classes N   output classes (default 3)
  --seed S      seed of the weights and the batch (default 0)
  --out DIR     output folder (default runs/graph-<timestamp>)
  -h, --help    show this help`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  values = parseArgs({
    options: {
      batch: { type: "string", default: "8" },
      in: { type: "string", default: "4" },
      hidden: { type: "string", default: "16" },
      classes: { type: "string", default: "3" },
      seed: { type: "string", default: "0" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = (flag: string, s: string, min = 1) => {
  const v = Number(s);
  if (!Number.isInteger(v) || v < min) fail(`Invalid --${flag} value: ${s} (must be an integer >= ${min})`);
  return v;
};
const batch = count("batch", values.batch);
const inputs = count("in", values.in);
const hidden = count("hidden", values.hidden);
const classes = count("classes", values.classes, 2);
manualSeed(count("seed", values.seed, 0));

const model = new nn.Sequential(new nn.Linear(inputs, hidden), new nn.ReLU(), new nn.Linear(hidden, classes));
// Full names ("0.weight", "2.bias") tell the two layers apart in the picture.
for (const [name, p] of model.namedParameters()) p.name = name;
const x = randn(batch, inputs);
x.name = "input";
const labels = Array.from({ length: batch }, (_, i) => i % classes);
const loss = nn.functional.crossEntropy(model.forward(x), labels);

// The graph is released by backward(), so it is exported first.
const dot = toDot(loss, { title: "2-layer MLP loss" });
const viz = await (await import("@viz-js/viz")).instance();
const svg = viz.renderString(dot, { format: "svg" });

const outDir = values.out ?? createRunDir("runs", "graph");
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "mlp-loss.dot"), dot);
writeFileSync(join(outDir, "mlp-loss.svg"), svg);
const ops = [...dot.matchAll(/shape=box[^\]]*label="([^\\"]+)/g)].map((m) => m[1]);
console.log(`loss ${loss.item().toFixed(4)}: ${ops.length} ops (${ops.join(", ")}), Graphviz ${viz.graphvizVersion}`);
console.log(`wrote ${join(outDir, "mlp-loss.svg")} and mlp-loss.dot`);
