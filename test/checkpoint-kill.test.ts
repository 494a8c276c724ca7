// Kill during save: a child saving checkpoints in a loop is killed with SIGKILL at random instants; the file always loads, whole.

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Generator, nn, optim } from "../src/index.ts";
import { loadCheckpoint, saveCheckpoint } from "../src/io/index.ts";

const dir = mkdtempSync(join(tmpdir(), "ndgrad-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Four children at a time, five kills each: 20 kills. */
const LANES = 4;
const KILLS_PER_LANE = 5;

/** Starts the save loop, waits until its first save is done, lets it run `delayMs` more, and kills it. */
function killDuringSaves(path: string, delayMs: number): Promise<{ signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join("test", "helpers", "save-loop.ts"), path], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), delayMs));
    child.on("error", reject);
    child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve({ signal }) : reject(new Error(`the save loop exited by itself (code ${code}): ${stderr}`))));
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
    let leftovers = 0;
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const laneDir = mkdtempSync(join(dir, `lane-${lane}-`));
        const path = join(laneDir, "loop.safetensors");
        for (let kill = 0; kill < KILLS_PER_LANE; kill++) {
          await killDuringSaves(path, rng.int(120));
          seen.add(loadWhole(path));
          leftovers += readdirSync(laneDir).filter((f) => f.includes(".tmp-")).length;
        }
        // A save after the kills removes the temporaries the killed processes left behind.
        saveCheckpoint(path, { epoch: 0 });
        expect(readdirSync(laneDir)).toEqual(["loop.safetensors"]);
      }),
    );
    // Kills landed on both contents; most also cut a write short (their temporary files were left behind).
    expect(seen).toEqual(new Set([1, 2]));
    expect(leftovers).toBeGreaterThan(0);
  }, 60_000);
});
