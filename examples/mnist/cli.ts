// The command line of examples/mnist.ts: flags, defaults, presets and the usage text.

import { statSync } from "node:fs";
import { optim } from "../../src/index.ts";
import { commandLine, integer, listOf, namedNumbers, oneOf, UsageError, type Command, type Flag, type FlagValues } from "../lib/cli.ts";
import { MODEL_KINDS, type ModelKind } from "./models.ts";
import { DEFAULT_OPTIMIZERS, RACE_OPTIONS } from "./race-options.ts";

export const DATASETS = ["mnist", "mnist-subset", "fashion-mnist"];

export const PRESETS: Record<string, { description: string; hidden: number[]; dropout: number; optimizers: string[] }> = {
  "adam-paper": {
    description: "Kingma & Ba (2015), Figure 2: 784-1000-1000-10 ReLU with dropout, AdaGrad / RMSProp / SGD-Nesterov / AdaDelta / Adam",
    hidden: [1000, 1000],
    dropout: 0.5,
    optimizers: ["adagrad", "rmsprop", "nag", "adadelta", "adam"],
  },
};

export interface MnistConfig {
  optimizers: string[];
  /** Per-optimizer option overrides from --lr. */
  lr: Record<string, number>;
  epochs: number;
  batchSize: number;
  hidden: number[];
  dropout: number;
  seed: number;
  dataset: string;
  trainLimit: number | null;
  out: string;
  plots: boolean;
  quiet: boolean;
  diagnostics: boolean;
  preset: string | null;
  /** Where checkpoints are saved (with --resume and no --checkpoint, the resume directory). */
  checkpoint: string | null;
  resume: string | null;
  /** The MLP (default) or LeNet-5. */
  model: ModelKind;
  /** BatchNorm after each conv and hidden Linear. */
  batchnorm: boolean;
}

export const MNIST_COMMAND = {
  usage: "npx tsx examples/mnist.ts [flags]",
  about: "Trains the same model (the MLP, or LeNet-5 with --model cnn) on MNIST with each optimizer, from\nthe same initial weights and the same batch order, and compares how they converge.",
  flags: {
    optimizers: { type: "string", arg: "a,b,...", help: `optimizers to race (default: ${DEFAULT_OPTIMIZERS.join(",")})\nany registry name: ${optim.available().join(", ")}` },
    epochs: { type: "string", arg: "N", help: "epochs per optimizer (default 5)" },
    "batch-size": { type: "string", arg: "N", help: "mini-batch size (default 128)" },
    model: { type: "string", arg: MODEL_KINDS.join("|"), help: "the MLP (default) or LeNet-5 (conv 5×5×6 pad 2, pool, conv 5×5×16, pool, 400-120-84-10)" },
    batchnorm: { type: "boolean", help: "BatchNorm after each conv and hidden Linear layer" },
    hidden: { type: "string", arg: "256", help: "hidden layer widths, e.g. --hidden 1000,1000 (default 256)" },
    lr: { type: "string", arg: "name=value,...", multiple: true, help: "learning rates, e.g. --lr adam=3e-4,sgd=0.05" },
    seed: { type: "string", arg: "N", help: "seed for the weights, the batch order and dropout (default 0)" },
    dataset: { type: "string", arg: "NAME", help: `${DATASETS.join(" | ")} | a directory of IDX files (default mnist)` },
    "train-limit": { type: "string", arg: "N", help: "train on the first N samples only" },
    out: { type: "string", arg: "DIR", help: "where the run folder goes (default runs)" },
    "no-plots": { type: "boolean", help: "skip the SVG charts" },
    quiet: { type: "boolean", help: "no progress bars or tables" },
    diagnostics: { type: "boolean", help: "log per-layer gradient norm, weight norm and update/weight ratio" },
    checkpoint: { type: "string", arg: "DIR", help: "save a checkpoint per optimizer after every epoch: DIR/<optimizer>.safetensors" },
    resume: { type: "string", arg: "DIR", help: "continue the race from the checkpoints in DIR (optimizers without one start\nafresh, finished ones are not rerun); keeps saving into DIR unless --checkpoint\nnames another directory" },
    preset: { type: "string", arg: "NAME", help: Object.entries(PRESETS).map(([k, p]) => `${k}: ${p.description}`).join("; ") },
  },
} as const satisfies Command<Record<string, Flag>>;

/** Turns flag values into the race's settings; throws UsageError naming the flag, the value and what is valid. */
export function mnistConfig(v: FlagValues<typeof MNIST_COMMAND.flags>): MnistConfig {
  const preset = v.preset === undefined ? null : PRESETS[oneOf("preset", v.preset, Object.keys(PRESETS), "preset")];
  const known = optim.available();
  const optimizers = v.optimizers !== undefined ? listOf("optimizers", v.optimizers, known, "optimizer") : preset?.optimizers ?? DEFAULT_OPTIMIZERS;
  const hidden = v.hidden !== undefined ? v.hidden.split(",").map((h) => integer("hidden", h, 0)) : preset?.hidden ?? [256];
  const dataset = v.dataset ?? "mnist";
  if (!DATASETS.includes(dataset) && !dataset.includes("/") && !dataset.startsWith(".")) {
    throw new UsageError(`invalid --dataset "${dataset}": unknown data set (valid: ${DATASETS.join(", ")}, or a directory path of IDX files)`);
  }
  if (v.resume !== undefined && !statSync(v.resume, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`invalid --resume "${v.resume}": no such directory (it names the --checkpoint directory of an earlier run)`);
  return {
    optimizers,
    lr: Object.fromEntries(namedNumbers("lr", v.lr, known, "optimizer")),
    epochs: integer("epochs", v.epochs, 5),
    batchSize: integer("batch-size", v["batch-size"], 128),
    hidden,
    dropout: preset?.dropout ?? 0,
    seed: integer("seed", v.seed, 0, -Infinity),
    dataset,
    trainLimit: v["train-limit"] === undefined ? null : integer("train-limit", v["train-limit"], 0),
    out: v.out ?? "runs",
    plots: !v["no-plots"],
    quiet: v.quiet,
    diagnostics: v.diagnostics,
    preset: v.preset ?? null,
    checkpoint: v.checkpoint ?? v.resume ?? null,
    resume: v.resume ?? null,
    model: v.model === undefined ? "mlp" : oneOf("model", v.model, MODEL_KINDS, "model"),
    batchnorm: v.batchnorm,
  };
}

/** The race's settings from process.argv: --help and misuse end the process (status 0 and 2). */
export function parseMnistArgs(argv?: readonly string[]): MnistConfig {
  return commandLine(MNIST_COMMAND, mnistConfig, argv);
}

/** What decides a racer's trajectory besides its checkpoint: a resume must have the same. */
export function racerSettings(name: string, config: MnistConfig) {
  const { dataset, trainLimit, batchSize, hidden, dropout, seed, model, batchnorm } = config;
  return { dataset, trainLimit, batchSize, hidden, dropout, seed, model, batchnorm, options: raceOptions(name, config) };
}

/** The options an optimizer races with: the race defaults, then --lr. */
export function raceOptions(name: string, config: MnistConfig): Record<string, number> {
  const options = { ...(RACE_OPTIONS[name] ?? {}) };
  if (config.lr[name] !== undefined) options.lr = config.lr[name];
  return options;
}
