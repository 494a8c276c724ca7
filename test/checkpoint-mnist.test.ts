// examples/mnist.ts --checkpoint / --resume end to end: a race stopped after epoch 2 and resumed logs the same losses, to the bit, as one never stopped.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMetrics, type MetricsFile } from "../src/report/index.ts";

const out = mkdtempSync(join(tmpdir(), "ndgrad-mnist-resume-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const RACE = ["--dataset", "mnist-subset", "--train-limit", "1000", "--optimizers", "adam", "--epochs", "3", "--no-plots", "--quiet"];

function runExample(args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "examples/mnist.ts", ...RACE, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (result.status !== 0) throw new Error(`examples/mnist.ts ${args.join(" ")} exited with ${result.status}:\n${result.stderr}`);
  return result;
}

function metrics(name: string): MetricsFile {
  const dir = join(out, name);
  return readMetrics(join(dir, readdirSync(dir)[0], "metrics.json"));
}

const losses = (m: MetricsFile) => m.series["adam/train"].map((r) => r.loss as number);

describe("--checkpoint and --resume", () => {
  const ckpt = join(out, "ckpt");
  let stopped: ReturnType<typeof runExample>;
  beforeAll(() => {
    runExample(["--out", join(out, "full")]);
    stopped = runExample(["--out", join(out, "stopped"), "--checkpoint", ckpt, "--stop-after-epoch", "2"]);
    runExample(["--out", join(out, "resumed"), "--resume", ckpt]);
    runExample(["--out", join(out, "again"), "--resume", ckpt]);
  }, 60_000);

  it("stops after epoch 2 with one checkpoint per optimizer", () => {
    expect(stopped.stdout).toContain("stopped after epoch 2");
    expect(readdirSync(ckpt)).toEqual(["adam.safetensors"]);
    expect(losses(metrics("stopped"))).toHaveLength(2 * 8);
  });

  it("the resumed run logs every step's loss exactly as the run never stopped, epochs 1-2 restored from the checkpoint", () => {
    const full = losses(metrics("full"));
    const resumed = losses(metrics("resumed"));
    expect(full).toHaveLength(3 * 8);
    expect(resumed).toHaveLength(full.length);
    resumed.forEach((loss, i) => expect(Object.is(loss, full[i]), `step ${i + 1}: ${loss} vs ${full[i]}`).toBe(true));
    expect(metrics("resumed").series["adam/epoch"].map((r) => [r.trainLoss, r.testAccuracy])).toEqual(metrics("full").series["adam/epoch"].map((r) => [r.trainLoss, r.testAccuracy]));
  });

  it("resuming a finished racer trains nothing and reports its recorded summary", () => {
    const { seconds: _a, samplesPerSec: _b, ...full } = metrics("full").summaries.adam;
    const again = metrics("again");
    expect(again.summaries.adam).toMatchObject(full);
    expect(losses(again)).toEqual(losses(metrics("full")));
  });

  it("refuses to resume with settings that would change the trajectory", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "examples/mnist.ts", ...RACE, "--batch-size", "64", "--out", join(out, "bad"), "--resume", ckpt], { encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/was saved with batchSize 128, this run has batchSize 64/);
  });
});
