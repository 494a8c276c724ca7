// The examples end to end: the shared command line (--help, misuse, negative numbers), a short MNIST race, divergence, I/O errors and crashes.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optim } from "../src/index.ts";
import { readMetrics } from "../src/report/index.ts";
import { FASHION_MNIST_DIR } from "../datasets/index.ts";
import { parseFlags, UsageError } from "../examples/lib/cli.ts";
import { MNIST_COMMAND, mnistConfig } from "../examples/mnist/cli.ts";

const out = mkdtempSync(join(tmpdir(), "ndgrad-mnist-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs a script with tsx (and preloads), as a user would; generous timeout for a loaded machine. */
function runScript(script: string, args: string[], options: { preload?: string[]; env?: Record<string, string> } = {}) {
  const preload = (options.preload ?? []).flatMap((p) => ["--import", `./test/helpers/${p}`]);
  return spawnSync(process.execPath, ["--import", "tsx", ...preload, script, ...args], { encoding: "utf8", timeout: 300_000, env: { ...process.env, NO_COLOR: "1", ...options.env } });
}
const runRace = (args: string[], options?: Parameters<typeof runScript>[2]) => runScript("examples/mnist.ts", args, options);
const QUICK = ["--dataset", "mnist-subset", "--train-limit", "1000", "--epochs", "1", "--no-plots"];

/** The settings examples/mnist.ts would run with, or the UsageError it would print. */
const parse = (args: string[]) => mnistConfig(parseFlags(MNIST_COMMAND, args));

describe("examples/mnist.ts flags", () => {
  const valid = optim.available().join(", ");
  it.each([
    [["--optimizers", "adam,nope"], `invalid --optimizers "nope": unknown optimizer (valid: ${valid})`],
    [["--dataset", "cifar"], 'invalid --dataset "cifar": unknown data set (valid: mnist, mnist-subset, fashion-mnist, or a directory path of IDX files)'],
    [["--epochs", "0"], 'invalid --epochs "0" (must be an integer >= 1)'],
    [["--epochs", "-1"], 'invalid --epochs "-1" (must be an integer >= 1)'],
    [["--batch-size", "-0.5"], 'invalid --batch-size "-0.5" (must be an integer >= 1)'],
    [["--epochs", "2.5"], 'invalid --epochs "2.5" (must be an integer >= 1)'],
    [["--hidden", "256,x"], 'invalid --hidden "x" (must be an integer >= 1)'],
    [["--lr", "adam"], 'invalid --lr "adam" (expected NAME=VALUE, e.g. sgd=0.01)'],
    [["--lr", "adam=-3"], `invalid --lr "-3" (adam's value must be a positive number)`],
    [["--lr", "adan=0.1"], `invalid --lr "adan": unknown optimizer (valid: ${valid})`],
    [["--preset", "vgg"], 'invalid --preset "vgg": unknown preset (valid: adam-paper)'],
    [["--bogus"], "unknown flag --bogus (valid: --optimizers, --epochs,"],
    [["--epochs"], "--epochs needs a value (epochs per optimizer (default 5))"],
    [["--quiet=yes"], "--quiet takes no value (it is a switch)"],
    [["adam"], 'unexpected argument "adam": every value follows its flag'],
    [["--stop-after-epoch", "2"], "unknown flag --stop-after-epoch"],
    [["--resume", "/no/such/ckpt"], 'invalid --resume "/no/such/ckpt": no such directory (it names the --checkpoint directory of an earlier run)'],
  ])("refuses %j", (args, message) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(message);
  });

  it("accepts the documented flags, and negative seeds", () => {
    const config = parse(["--optimizers", "adam,nag", "--hidden", "1000,1000", "--lr", "adam=3e-4,sgd=0.05", "--epochs", "2", "--no-plots", "--quiet", "--seed", "-3"]);
    expect(config).toMatchObject({ optimizers: ["adam", "nag"], hidden: [1000, 1000], lr: { adam: 3e-4, sgd: 0.05 }, epochs: 2, plots: false, quiet: true, batchSize: 128, seed: -3 });
    expect(parse(["--preset", "adam-paper"])).toMatchObject({ hidden: [1000, 1000], optimizers: ["adagrad", "rmsprop", "nag", "adadelta", "adam"] });
  });
});

describe("every example, bench and script: --help and misuse", () => {
  const SCRIPTS = ["examples/mnist.ts", "examples/optimizers-2d.ts", "examples/xor.ts", "examples/graph.ts", "bench/run.ts", "bench/gemm.ts", "scripts/soak.ts"];

  it.each(SCRIPTS)("%s --help prints the usage with every flag and exits 0 without running", (script) => {
    const result = runScript(script, ["--help"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: /);
    expect(result.stdout).toContain("-h, --help");
    expect(result.stdout).not.toMatch(/epoch \d+:|^wrote |^soak:|^optimizers:|^ndgrad bench|^GEMM GFLOP|^loss /m);
  });

  it.each(SCRIPTS)("%s --bogus prints one error line listing the valid flags, then the usage, and exits 2", (script) => {
    const result = runScript(script, ["--bogus"]);
    expect(result.status).toBe(2);
    const [first, blank, usage] = result.stderr.split("\n");
    expect(first).toMatch(/^error: unknown flag --bogus \(valid: --[\w-]+(, --[\w-]+)*, --help\)$/);
    expect([blank, usage.slice(0, 7)]).toEqual(["", "Usage: "]);
    expect(result.stdout).toBe("");
  });

  it("examples/xor.ts --help does not train; --epochs -1 is a range error with status 2", () => {
    expect(runScript("examples/xor.ts", ["--help"]).stdout).not.toContain("loss");
    const negative = runScript("examples/xor.ts", ["--epochs", "-1"]);
    expect(negative.status).toBe(2);
    expect(negative.stderr.split("\n")[0]).toBe('error: invalid --epochs "-1" (must be an integer >= 1)');
  });
});

describe("a short race on mnist-subset", () => {
  let result: ReturnType<typeof runRace>;
  const dir = join(out, "short");
  beforeAll(() => {
    result = runRace(["--dataset", "mnist-subset", "--epochs", "4", "--optimizers", "adam,sgd", "--out", dir]);
  }, 300_000);

  it("exits cleanly", () => {
    expect(result.stderr).not.toMatch(/Error|error:/);
    expect(result.status).toBe(0);
  });

  it("reaches over 85% test accuracy in a few hundred steps, and the metrics files hold what its table shows", () => {
    const [run] = readdirSync(dir);
    const metrics = readMetrics(join(dir, run, "metrics.json"));
    for (const name of ["adam", "sgd"]) {
      const summary = metrics.summaries[name] as Record<string, number>;
      expect(summary.testAccuracy).toBeGreaterThan(0.85);
      expect(metrics.series[`${name}/train`]).toHaveLength(4 * 63);
      const row = result.stdout.split("\n").find((line) => line.includes(` ${name} `))!;
      expect(row).toContain(`${(summary.testAccuracy * 100).toFixed(2)}%`);
      expect(row).toContain(summary.finalTrainLoss.toFixed(4));
    }
    const csv = readFileSync(join(dir, run, "metrics.csv"), "utf8").trim().split("\n");
    expect(csv[0].split(",")).toEqual(expect.arrayContaining(["series", "step", "epoch", "loss"]));
    expect(csv.filter((line) => line.startsWith("adam/train,"))).toHaveLength(4 * 63);
    expect(readFileSync(join(dir, run, "loss.svg"), "utf8")).toMatch(/^<svg/);
  });
});

describe("divergence in the race", () => {
  it("reports Adam and RMSprop at lr 100 as diverged, with '-' for the accuracies never measured, while SGD races on", () => {
    // 40 steps in the one epoch: both diverge before their first evaluation.
    const dir = join(out, "diverged");
    const result = runRace(["--dataset", "mnist-subset", "--train-limit", "5000", "--epochs", "1", "--no-plots", "--optimizers", "adam,rmsprop,sgd", "--lr", "adam=100,rmsprop=100", "--out", dir]);
    expect(result.status, result.stderr).toBe(0);
    const metrics = readMetrics(join(dir, readdirSync(dir)[0], "metrics.json"));
    for (const name of ["adam", "rmsprop"]) {
      const summary = metrics.summaries[name];
      expect(summary.diverged).toMatch(/^diverged at step \d+$/);
      expect(summary).toMatchObject({ testAccuracy: null, bestTestAccuracy: null, finalTrainLoss: null });
      const row = result.stdout.split("\n").find((line) => line.includes(` ${name} `))!;
      expect(row).toContain(summary.diverged as string);
      expect(row.split("│").map((c) => c.trim()).slice(4, 6)).toEqual(["-", "-"]);
      expect(row).not.toContain("0.00%");
      // The rule: from the reported step on, the logged loss stays above 10× the first step's.
      const losses = metrics.series[`${name}/train`].map((r) => r.loss as number);
      const at = Number(/step (\d+)/.exec(summary.diverged as string)![1]);
      expect(losses.slice(at - 1).every((l) => l > 10 * losses[0])).toBe(true);
    }
    expect(metrics.summaries.sgd).toMatchObject({ diverged: null });
    expect(metrics.summaries.sgd.testAccuracy).toBeGreaterThan(0.7);
    expect(result.stdout).toContain("diverged: a non-finite loss, or a loss above 10× the first one for 20 steps in a row");
  }, 300_000);

  it("a racer that diverges after an evaluation keeps its best accuracy; its final loss and accuracy are '-'", () => {
    const dir = join(out, "diverged-late");
    // 16 steps per epoch: the 20-step stretch ends in epoch 2, after epoch 1 was evaluated.
    const result = runRace(["--dataset", "mnist-subset", "--train-limit", "2000", "--epochs", "2", "--no-plots", "--optimizers", "adam", "--lr", "adam=100", "--out", dir]);
    const summary = readMetrics(join(dir, readdirSync(dir)[0], "metrics.json")).summaries.adam;
    expect(summary).toMatchObject({ testAccuracy: null, finalTrainLoss: null, diverged: expect.stringMatching(/^diverged at step \d+$/) });
    expect(summary.bestTestAccuracy).toBeGreaterThan(0);
    const row = result.stdout.split("\n").find((line) => line.includes(" adam "))!;
    expect(row.split("│").map((c) => c.trim()).slice(3, 6)).toEqual([summary.diverged, "-", `${((summary.bestTestAccuracy as number) * 100).toFixed(2)}%`]);
  }, 300_000);
});

describe("I/O errors: one line each (what, where, what to do), the race goes on, the exit status is 1", () => {
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

  it("a full disk under --out: the metrics are lost, the racers and the table are not", () => {
    const dir = join(out, "full-out");
    mkdirSync(dir);
    const result = runRace([...QUICK, "--optimizers", "adam,sgd", "--out", dir], { preload: ["fs-faults.ts"], env: { NDGRAD_FULL_DISK: dir } });
    expect(result.status).toBe(1);
    const errors = result.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toEqual([expect.stringMatching(new RegExp(`^error: could not save the metrics to ${dir}/mnist-[\\d-]+: no space left on device \\(ENOSPC\\); free some space, or pass --out a directory on another disk$`))]);
    noStack(result.stderr);
    for (const name of ["adam", "sgd"]) expect(result.stdout).toMatch(new RegExp(`│ ${name} +│ .*\\d\\d\\.\\d\\d% │`));
  });

  it("a full disk under --checkpoint: checkpoints stop, training and the metrics go on", () => {
    const ckpt = join(out, "full-ckpt");
    mkdirSync(ckpt);
    const result = runRace([...QUICK, "--epochs", "2", "--optimizers", "adam,sgd", "--out", join(out, "full-ckpt-run"), "--checkpoint", ckpt], { preload: ["fs-faults.ts"], env: { NDGRAD_FULL_DISK: ckpt } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error: could not save the checkpoint of adam to ${join(ckpt, "adam.safetensors")}: no space left on device (ENOSPC); free some space, or pass --checkpoint a directory on another disk\n(no more checkpoints are saved in this run; training goes on)`);
    expect(result.stderr.match(/^error:/gm)).toHaveLength(1);
    noStack(result.stderr);
    expect(readdirSync(ckpt)).toEqual([]);
    const metrics = readMetrics(join(out, "full-ckpt-run", readdirSync(join(out, "full-ckpt-run"))[0], "metrics.json"));
    expect(Object.keys(metrics.summaries)).toEqual(["adam", "sgd"]);
    expect(metrics.series["sgd/epoch"]).toHaveLength(2);
  });

  it("--out naming an existing file", () => {
    const file = join(out, "a-file");
    writeFileSync(file, "");
    const result = runRace([...QUICK, "--out", file]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`error: could not create the run folder in "${file}": EEXIST: file already exists, mkdir '${file}'; remove that file, or pass --out another path`);
  });

  it("a missing Fashion-MNIST", () => {
    const result = runRace(["--dataset", "fashion-mnist"], { preload: ["fs-faults.ts"], env: { NDGRAD_HIDE_PATH: FASHION_MNIST_DIR } });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: could not load the data set "fashion-mnist": loadMnist: Fashion-MNIST not found: ${FASHION_MNIST_DIR} does not exist. Install Debian's package with "apt-get install dataset-fashion-mnist", or pass the path of a directory holding its four IDX files as source`,
    );
  });

  it("examples/graph.ts and examples/optimizers-2d.ts on a full disk", () => {
    const dir = join(out, "full-examples");
    mkdirSync(dir);
    const graph = runScript("examples/graph.ts", ["--out", dir], { preload: ["fs-faults.ts"], env: { NDGRAD_FULL_DISK: dir } });
    expect(graph.status).toBe(1);
    expect(graph.stderr.trim()).toBe(`error: could not save the graph to ${dir}/mlp-loss.{dot,svg}: no space left on device (ENOSPC); free some space, or pass --out a directory on another disk`);
    const race = runScript("examples/optimizers-2d.ts", ["--functions", "quadratic", "--optimizers", "sgd,adam", "--lr", "sgd=0.01,adam=0.1", "--steps", "50", "--out", dir], { preload: ["fs-faults.ts"], env: { NDGRAD_FULL_DISK: dir } });
    expect(race.status).toBe(1);
    expect(race.stderr.match(/^error: could not save the (chart of quadratic|tables|metrics) to .*ENOSPC.*$/gm)).toHaveLength(3);
    noStack(race.stderr);
    expect(race.stdout).toMatch(/│ adam +│/);
  });
});

describe("a crash explains itself", () => {
  it("names the optimizer, epoch and step, and for an error from the kernels the backend's state; the metrics gathered so far are kept", () => {
    const dir = join(out, "crash");
    const result = runRace([...QUICK, "--epochs", "2", "--optimizers", "sgd,faulty", "--out", dir], { preload: ["kernel-fault.ts"] });
    expect(result.status).toBe(1);
    // 1000 samples in batches of 128: 8 steps per epoch; the faulty optimizer fails at its 5th step.
    expect(result.stderr).toContain("examples/mnist.ts crashed while training (optimizer faulty, epoch 1, step 5): setNumThreads: invalid thread count 0 (valid: an integer from 1 to 64)");
    expect(result.stderr).toMatch(/\n(threads \d+, backend (js|wasm|blas)|.*backend (js|wasm|blas).*threads \d+.*)\n/);
    expect(result.stderr).toContain("src/kernels/backend.ts");
    const metrics = readMetrics(join(dir, readdirSync(dir)[0], "metrics.json"));
    expect(metrics.summaries.sgd.testAccuracy).toBeGreaterThan(0.5);
    expect(metrics.series["faulty/train"]).toHaveLength(4);
  });
});
