// The autograd graph of a 2-layer MLP's loss, exported with toDot and drawn to SVG by Graphviz (compiled to WebAssembly, so it runs offline).
//
//   npx tsx examples/graph.ts                  writes runs/graph-<timestamp>/mlp-loss.svg and .dot
//   npx tsx examples/graph.ts --out graphs --in 4 --hidden 3 --classes 2

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { manualSeed, nn, randn, toDot } from "../src/index.ts";
import { commandLine, integer } from "./lib/cli.ts";
import { exitStatus, explainCrashes, makeOutDir, orExit, tryWrite } from "./lib/failures.ts";

const GRAPH_COMMAND = {
  usage: "npx tsx examples/graph.ts [flags]",
  about: "Builds a 2-layer MLP (Linear, ReLU, Linear), computes its cross-entropy loss on a random batch,\nand draws the graph backward() would walk: ops as boxes, parameters and inputs as ellipses.",
  flags: {
    batch: { type: "string", arg: "N", help: "batch size (default 8)" },
    in: { type: "string", arg: "N", help: "input features (default 4)" },
    hidden: { type: "string", arg: "N", help: "hidden units (default 16)" },
    classes: { type: "string", arg: "N", help: "output classes (default 3)" },
    seed: { type: "string", arg: "S", help: "seed of the weights and the batch (default 0)" },
    out: { type: "string", arg: "DIR", help: "output folder (default runs/graph-<timestamp>)" },
  },
} as const;

explainCrashes("examples/graph.ts");
const { batch, inputs, hidden, classes, seed, out } = commandLine(GRAPH_COMMAND, (v) => ({
  batch: integer("batch", v.batch, 8),
  inputs: integer("in", v.in, 4),
  hidden: integer("hidden", v.hidden, 16),
  classes: integer("classes", v.classes, 3, 2),
  seed: integer("seed", v.seed, 0, 0),
  out: v.out,
}));
manualSeed(seed);

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

const outDir = orExit(`create the output folder "${out ?? "runs"}"`, () => makeOutDir(out, "graph"), "--out");
if (!tryWrite("the graph", join(outDir, "mlp-loss.{dot,svg}"), "--out", () => (writeFileSync(join(outDir, "mlp-loss.dot"), dot), writeFileSync(join(outDir, "mlp-loss.svg"), svg)))) process.exit(exitStatus());
const ops = [...dot.matchAll(/shape=box[^\]]*label="([^\\"]+)/g)].map((m) => m[1]);
console.log(`loss ${loss.item().toFixed(4)}: ${ops.length} ops (${ops.join(", ")}), Graphviz ${viz.graphvizVersion}`);
console.log(`wrote ${join(outDir, "mlp-loss.svg")} and mlp-loss.dot`);
