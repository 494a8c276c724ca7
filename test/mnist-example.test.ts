// examples/mnist.ts end to end: bad flags exit with status 2, a short run learns, and its metrics files hold what its table shows.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optim } from "../src/index.ts";
import { readMetrics } from "../src/report/index.ts";
import { parseMnistArgs, UsageError } from "../examples/mnist/cli.ts";

const out = mkdtempSync(join(tmpdir(), "ndgrad-mnist-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function runExample(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "examples/mnist.ts", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

describe("argument parsing", () => {
  it.each([
    [["--optimizers", "adam,sophia"], 'unknown optimizer "sophia"'],
    [["--dataset", "cifar"], 'unknown dataset "cifar"'],
    [["--epochs", "0"], '--epochs must be a positive integer, got "0"'],
    [["--hidden", "256,x"], "--hidden expects positive integers"],
    [["--lr", "adam"], '--lr expects name=value with a known optimizer and a positive number, got "adam"'],
    [["--preset", "vgg"], 'unknown preset "vgg"'],
    [["--bogus"], "Unknown option '--bogus'"],
  ])("refuses %j", (args, message) => {
    expect(() => parseMnistArgs(args)).toThrow(UsageError);
    expect(() => parseMnistArgs(args)).toThrow(message);
  });

  it("accepts the documented flags", () => {
    const config = parseMnistArgs(["--optimizers", "adam,nag", "--hidden", "1000,1000", "--lr", "adam=3e-4,sgd=0.05", "--epochs", "2", "--no-plots", "--quiet"]);
    expect(config).toMatchObject({ optimizers: ["adam", "nag"], hidden: [1000, 1000], lr: { adam: 3e-4, sgd: 0.05 }, epochs: 2, plots: false, quiet: true, batchSize: 128 });
    expect(parseMnistArgs(["--preset", "adam-paper"])).toMatchObject({ hidden: [1000, 1000], optimizers: ["adagrad", "rmsprop", "nag", "adadelta", "adam"] });
  });

  it("prints the usage and the valid names, and exits with status 2, for an unknown optimizer", () => {
    const result = runExample(["--optimizers", "sophia"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`unknown optimizer "sophia" (valid: ${optim.available().join(", ")})`);
    expect(result.stderr).toContain("Usage: npx tsx examples/mnist.ts");
  });
});

describe("a short race on mnist-subset", () => {
  let result: ReturnType<typeof runExample>;
  beforeAll(() => {
    result = runExample(["--dataset", "mnist-subset", "--epochs", "4", "--optimizers", "adam,sgd", "--out", out]);
  });

  it("exits cleanly", () => {
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
  });

  it("reaches over 85% test accuracy in a few hundred steps, and the metrics files hold what the table shows", () => {
    const [dir] = readdirSync(out);
    const metrics = readMetrics(join(out, dir, "metrics.json"));
    for (const name of ["adam", "sgd"]) {
      const summary = metrics.summaries[name] as Record<string, number>;
      expect(summary.testAccuracy).toBeGreaterThan(0.85);
      expect(metrics.series[`${name}/train`]).toHaveLength(4 * 63);
      const row = result.stdout.split("\n").find((line) => line.includes(` ${name} `))!;
      expect(row).toContain(`${(summary.testAccuracy * 100).toFixed(2)}%`);
      expect(row).toContain(summary.finalTrainLoss.toFixed(4));
    }
    const csv = readFileSync(join(out, dir, "metrics.csv"), "utf8").trim().split("\n");
    expect(csv[0].split(",")).toEqual(expect.arrayContaining(["series", "step", "epoch", "loss"]));
    expect(csv.filter((line) => line.startsWith("adam/train,"))).toHaveLength(4 * 63);
    expect(readFileSync(join(out, dir, "loss.svg"), "utf8")).toMatch(/^<svg/);
  });
});
