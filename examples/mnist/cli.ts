// The command line of examples/mnist.ts: flags, defaults, presets and the usage text.

import { parseArgs } from "node:util";
import { optim } from "../../src/index.ts";
import { MODEL_KINDS, type ModelKind } from "./models.ts";

/** The lr (and momentum) each optimizer races with by default: the settings of issue #5 / PyTorch's MNIST example. */
export const RACE_OPTIONS: Record<string, Record<string, number>> = {
  sgd: { lr: 0.1 },
  momentum: { lr: 0.01, momentum: 0.9 },
  nag: { lr: 0.01, momentum: 0.9 },
  adagrad: { lr: 0.01 },
  adadelta: { lr: 1.0 },
  rmsprop: { lr: 0.001 },
  adam: { lr: 0.001 },
};

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
  /** Testing: end the process after this epoch's checkpoint, as if it were killed there. */
  stopAfterEpoch: number | null;
  /** The MLP (default) or LeNet-5. */
  model: ModelKind;
  /** BatchNorm after each conv and hidden Linear. */
  batchnorm: boolean;
}

export class UsageError extends Error {}

export function usage(): string {
  return `Usage: npx tsx examples/mnist.ts [flags]

Trains the same MLP on MNIST with each optimizer, from the same initial weights and the same
batch order, and compares how they converge.

Flags:
  --optimizers a,b,...   optimizers to race (default: ${Object.keys(RACE_OPTIONS).join(",")})
                         any registry name: ${optim.available().join(", ")}
  --epochs N             epochs per optimizer (default 5)
  --batch-size N         mini-batch size (default 128)
  --model mlp|cnn        the MLP (default) or LeNet-5 (conv 5×5×6 pad 2, pool, conv 5×5×16, pool, 400-120-84-10)
  --batchnorm            BatchNorm after each conv and hidden Linear layer
  --hidden 256           hidden layer widths, e.g. --hidden 1000,1000 (default 256)
  --lr name=value,...    learning rates, e.g. --lr adam=3e-4,sgd=0.05
  --seed N               seed for the weights, the batch order and dropout (default 0)
  --dataset NAME         ${DATASETS.join(" | ")} | a directory of IDX files (default mnist)
  --train-limit N        train on the first N samples only
  --out DIR              where the run folder goes (default runs)
  --no-plots             skip the SVG charts
  --quiet                no progress bars or tables
  --diagnostics          log per-layer gradient norm, weight norm and update/weight ratio
  --checkpoint DIR       save a checkpoint per optimizer after every epoch: DIR/<optimizer>.safetensors
  --resume DIR           continue the race from the checkpoints in DIR (optimizers without one start
                         afresh, finished ones are not rerun); keeps saving into DIR unless --checkpoint
                         names another directory
  --stop-after-epoch N   (testing --resume) end the process right after the first optimizer's epoch-N
                         checkpoint, as if it were killed there
  --preset NAME          ${Object.entries(PRESETS).map(([k, p]) => `${k}: ${p.description}`).join("; ")}
  --help                 this text
`;
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** Parses argv (without node and the script); throws UsageError with a message for bad input. */
export function parseMnistArgs(argv: string[]): MnistConfig | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        optimizers: { type: "string" },
        epochs: { type: "string" },
        "batch-size": { type: "string" },
        hidden: { type: "string" },
        lr: { type: "string" },
        seed: { type: "string" },
        dataset: { type: "string" },
        "train-limit": { type: "string" },
        out: { type: "string" },
        "no-plots": { type: "boolean" },
        quiet: { type: "boolean" },
        diagnostics: { type: "boolean" },
        checkpoint: { type: "string" },
        resume: { type: "string" },
        "stop-after-epoch": { type: "string" },
        preset: { type: "string" },
        model: { type: "string" },
        batchnorm: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return "help";
  const preset = v.preset === undefined ? null : PRESETS[v.preset];
  if (preset === undefined) throw new UsageError(`unknown preset "${v.preset}" (valid: ${Object.keys(PRESETS).join(", ")})`);

  const optimizers = v.optimizers !== undefined ? v.optimizers.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean) : preset?.optimizers ?? Object.keys(RACE_OPTIONS);
  const known = optim.available();
  for (const name of optimizers) if (!known.includes(name)) throw new UsageError(`unknown optimizer "${name}" (valid: ${known.join(", ")})`);
  if (optimizers.length === 0) throw new UsageError("--optimizers names no optimizer");

  const lr: Record<string, number> = {};
  for (const pair of (v.lr ?? "").split(",").filter(Boolean)) {
    const [name, value] = pair.split("=");
    const x = Number(value);
    if (!known.includes(name) || !(x > 0) || !Number.isFinite(x)) throw new UsageError(`--lr expects name=value with a known optimizer and a positive number, got "${pair}"`);
    lr[name] = x;
  }

  const hidden = v.hidden !== undefined ? v.hidden.split(",").map((s) => Number(s)) : preset?.hidden ?? [256];
  if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new UsageError(`--hidden expects positive integers like 256 or 1000,1000, got "${v.hidden}"`);

  const dataset = v.dataset ?? "mnist";
  if (!DATASETS.includes(dataset) && !dataset.includes("/") && !dataset.startsWith(".")) {
    throw new UsageError(`unknown dataset "${dataset}" (valid: ${DATASETS.join(", ")}, or a directory path of IDX files)`);
  }
  const checkpoint = v.checkpoint ?? v.resume ?? null;
  const stopAfterEpoch = v["stop-after-epoch"] === undefined ? null : positiveInt("stop-after-epoch", v["stop-after-epoch"], 0);
  if (stopAfterEpoch !== null && checkpoint === null) throw new UsageError("--stop-after-epoch needs --checkpoint DIR (without a checkpoint there is nothing to resume from)");
  const model = (v.model ?? "mlp") as ModelKind;
  if (!MODEL_KINDS.includes(model)) throw new UsageError(`unknown model "${v.model}" (valid: ${MODEL_KINDS.join(", ")})`);
  const seed = Number(v.seed ?? 0);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got "${v.seed}"`);

  return {
    optimizers,
    lr,
    epochs: positiveInt("epochs", v.epochs, 5),
    batchSize: positiveInt("batch-size", v["batch-size"], 128),
    hidden,
    dropout: preset?.dropout ?? 0,
    seed,
    dataset,
    trainLimit: v["train-limit"] === undefined ? null : positiveInt("train-limit", v["train-limit"], 0),
    out: v.out ?? "runs",
    plots: !v["no-plots"],
    quiet: v.quiet ?? false,
    diagnostics: v.diagnostics ?? false,
    preset: v.preset ?? null,
    checkpoint,
    resume: v.resume ?? null,
    stopAfterEpoch,
    model,
    batchnorm: v.batchnorm ?? false,
  };
}

/** The options an optimizer races with: the race defaults, then --lr. */
export function raceOptions(name: string, config: MnistConfig): Record<string, number> {
  const options = { ...(RACE_OPTIONS[name] ?? {}) };
  if (config.lr[name] !== undefined) options.lr = config.lr[name];
  return options;
}
