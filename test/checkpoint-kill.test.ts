// Kill during save: a child saving checkpoints (or plain weights) in a loop is killed with SIGKILL at random instants; the file
// always loads, whole, and the next save removes the temporaries the killed processes left.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Generator, nn, optim } from "../src/index.ts";
import { load, loadCheckpoint, save, saveCheckpoint } from "../src/io/index.ts";

const dir = mkdtempSync(join(tmpdir(), "ndgrad-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Four children at a time, five kills each: 20 kills. */
const LANES = 4;
const KILLS_PER_LANE = 5;

/**
 * Starts the save loop, waits until its first save is done, and kills it: `delayMs` later, or (with
 * "mid-write") as soon as one of its temporary files is seen, so that the kill cuts a write short.
 */
function killDuringSaves(path: string, when: number | "mid-write", what: "checkpoint" | "weights" = "checkpoint"): Promise<{ signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join("test", "helpers", "save-loop.ts"), path, what], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let poll: NodeJS.Timeout | undefined;
    const ownTemporary = `.${basename(path)}.tmp-${child.pid}-`;
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.once("data", () => {
      if (when !== "mid-write") setTimeout(() => child.kill("SIGKILL"), when);
      else poll = setInterval(() => readdirSync(dirname(path)).some((f) => f.startsWith(ownTemporary)) && child.kill("SIGKILL"), 1);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      if (signal === "SIGKILL") resolve({ signal });
      else reject(new Error(`the save loop exited by itself (code ${code}): ${stderr}`));
    });
  });
}

/** Loads into fresh objects and checks every value is 1 (content 1) or every value is 2 (content 2). */
function loadWhole(path: string): number {
  const model = new nn.Sequential(new nn.Linear(256, 256), new nn.Linear(256, 64));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.5 });
  const info = loadCheckpoint(path, { model, optimizer });
  const k = (info.extra as { which: number }).which;
  expect([1, 2]).toContain(k);
  expect(info).toMatchObject({ epoch: k, step: 1000 * k });
  expect(optimizer.paramGroups[0].lr).toBe(0.001 * k);
  for (const p of model.parameters()) {
    expect(p.values().every((v) => v === k)).toBe(true);
    const s = optimizer.state.get(p) as { step: number; expAvg: Float32Array; expAvgSq: Float32Array };
    expect(s.step).toBe(k);
    expect(s.expAvg.every((v) => v === k) && s.expAvgSq.every((v) => v === k)).toBe(true);
  }
  return k;
}

describe("a process killed while saving", () => {
  it(`leaves a checkpoint that loads whole, old or new, after each of ${LANES * KILLS_PER_LANE} SIGKILLs at random instants`, async () => {
    const rng = new Generator(2024);
    const seen = new Set<number>();
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const laneDir = mkdtempSync(join(dir, `lane-${lane}-`));
        const path = join(laneDir, "loop.safetensors");
        for (let kill = 0; kill < KILLS_PER_LANE; kill++) {
          await killDuringSaves(path, rng.int(120));
          seen.add(loadWhole(path));
        }
        // A save after the kills removes the temporaries the killed processes left behind.
        saveCheckpoint(path, { epoch: 0 });
        expect(readdirSync(laneDir)).toEqual(["loop.safetensors"]);
      }),
    );
    // Kills landed on both contents (those that cut a write short: below).
    expect(seen).toEqual(new Set([1, 2]));
  }, 180_000);
});

describe("save() after processes were killed while saving", () => {
  it("removes the temporaries of the dead processes and keeps those of a live one", async () => {
    const laneDir = mkdtempSync(join(dir, "weights-"));
    const path = join(laneDir, "weights.safetensors");
    // Kills while a temporary file is being written: at least three, and until the last one left its temporary behind (a
    // kill can still land just after the rename; the saves of each next process remove the earlier leftovers).
    const temporaries = () => readdirSync(laneDir).filter((f) => f.startsWith(".weights.safetensors.tmp-"));
    for (let kill = 0; kill < 20 && (kill < 3 || temporaries().length === 0); kill++) await killDuringSaves(path, "mid-write", "weights");
    const leftovers = temporaries();
    expect(leftovers.length).toBeGreaterThan(0);
    for (const name of leftovers) expect(name).toMatch(/^\.weights\.safetensors\.tmp-\d+-[0-9a-f]{12}$/);

    // A temporary named after a process that still runs (this test's parent shell, alive throughout) may still be renamed: it stays.
    const live = `.weights.safetensors.tmp-${process.ppid}-000000000000`;
    writeFileSync(join(laneDir, live), "in progress");
    // Also one of a process that has certainly exited.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(join(laneDir, `.weights.safetensors.tmp-${dead}-111111111111`), "torn");

    const weights = load(path);
    save(path, weights);
    expect(readdirSync(laneDir).sort()).toEqual([live, "weights.safetensors"].sort());
    expect(Object.keys(load(path))).toEqual(Object.keys(weights));
  }, 300_000);
});
