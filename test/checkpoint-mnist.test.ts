// examples/mnist.ts --checkpoint / --resume end to end: a real race killed with SIGKILL mid-training, then resumed, logs the same losses, to the bit, as one never stopped.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/io/index.ts";
import { readMetrics, type MetricsFile } from "../src/report/index.ts";

const out = mkdtempSync(join(tmpdir(), "ndgrad-mnist-resume-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// 4,000 samples in batches of 128: 32 steps per epoch, 6 epochs per racer.
const RACE = ["--dataset", "mnist-subset", "--train-limit", "4000", "--optimizers", "adam,sgd", "--epochs", "6", "--no-plots", "--quiet"];
const STEPS = 6 * 32;
const args = (extra: string[]) => ["--import", "tsx", "examples/mnist.ts", ...RACE, ...extra];

function runRace(extra: string[]) {
  const result = spawnSync(process.execPath, args(extra), { encoding: "utf8", timeout: 300_000, env: { ...process.env, NO_COLOR: "1" } });
  if (result.status !== 0) throw new Error(`examples/mnist.ts ${extra.join(" ")} exited with ${result.status}:\n${result.stderr}`);
  return result;
}

/** Starts the race with --checkpoint DIR and kills it with SIGKILL as soon as the first optimizer's first checkpoint exists. */
function killAfterFirstCheckpoint(dir: string, runOut: string): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(["--out", runOut, "--checkpoint", dir]), { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const poll = setInterval(() => {
      if (existsSync(join(dir, "adam.safetensors"))) child.kill("SIGKILL");
    }, 5);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      if (signal === null) reject(new Error(`the race ended by itself (code ${code}) before it could be killed:\n${stderr}`));
      else resolve(signal);
    });
  });
}

function metrics(name: string): MetricsFile {
  const dir = join(out, name);
  return readMetrics(join(dir, readdirSync(dir)[0], "metrics.json"));
}

const losses = (m: MetricsFile, racer: string) => m.series[`${racer}/train`].map((r) => r.loss as number);

describe("--checkpoint, SIGKILL mid-training, --resume", () => {
  const ckpt = join(out, "ckpt");
  let signal: NodeJS.Signals | null;
  let savedEpoch: number;
  beforeAll(async () => {
    runRace(["--out", join(out, "full")]);
    signal = await killAfterFirstCheckpoint(ckpt, join(out, "killed"));
    savedEpoch = loadCheckpoint(join(ckpt, "adam.safetensors")).epoch!;
    runRace(["--out", join(out, "resumed"), "--resume", ckpt]);
    runRace(["--out", join(out, "again"), "--resume", ckpt]);
  }, 600_000);

  it("the run was killed in the middle of Adam's race, with a checkpoint of an unfinished racer and none of the next", () => {
    expect(signal).toBe("SIGKILL");
    expect(savedEpoch).toBeGreaterThanOrEqual(1);
    expect(savedEpoch).toBeLessThan(6);
  });

  it("the resumed run logs every step's loss exactly as the run never stopped: Adam from its checkpoint, SGD from the start", () => {
    const full = metrics("full");
    const resumed = metrics("resumed");
    for (const racer of ["adam", "sgd"]) {
      expect(losses(full, racer)).toHaveLength(STEPS);
      const [a, b] = [losses(resumed, racer), losses(full, racer)];
      expect(a).toHaveLength(STEPS);
      a.forEach((loss, i) => expect(Object.is(loss, b[i]), `${racer} step ${i + 1}: ${loss} vs ${b[i]}`).toBe(true));
      expect(resumed.series[`${racer}/epoch`].map((r) => [r.trainLoss, r.testAccuracy])).toEqual(full.series[`${racer}/epoch`].map((r) => [r.trainLoss, r.testAccuracy]));
    }
  });

  it("resuming a finished race trains nothing and reports the recorded summaries", () => {
    const again = metrics("again");
    for (const racer of ["adam", "sgd"]) {
      // how fast, and on how many threads, describe this process, not the run: a finished race resumed trains nothing
      const { seconds: _a, samplesPerSec: _b, threads: _c, ...full } = metrics("full").summaries[racer];
      expect(again.summaries[racer]).toMatchObject(full);
      expect(losses(again, racer)).toEqual(losses(metrics("full"), racer));
    }
  });

  it("refuses to resume with settings that would change the trajectory", () => {
    const result = spawnSync(process.execPath, args(["--batch-size", "64", "--out", join(out, "bad"), "--resume", ckpt]), { encoding: "utf8", timeout: 300_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/adam\.safetensors was saved with batchSize 128, this run has batchSize 64: resuming would not continue the same run/);
  });
});
