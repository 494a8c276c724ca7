// The PyTorch fixture generator (test/fixtures/generator/) rewrites every committed fixture byte for byte.
// It needs Debian's python3-torch 1.13: without it the test is skipped, except in CI (CI=true), where it fails.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const runner = join(fixtures, "generator", "run.mjs");
const inCI = process.env.CI === "true";

/** Runs `npm run fixtures` (run.mjs) with `args`; a generous timeout since the machine may be loaded. */
function runGenerator(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [runner, ...args], { encoding: "utf8", timeout: 900_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function committedJsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".json") && !relative(fixtures, join(e.parentPath, e.name)).startsWith("generator"))
    .map((e) => relative(fixtures, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

/** The first byte where two buffers differ, with some context, for a readable failure. */
function firstDifference(got: Buffer, want: Buffer): string {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - 60), i + 60).toString("utf8"));
  return `first difference at byte ${i} (sizes ${got.length} vs ${want.length}):\n  generated ${around(got)}\n  committed ${around(want)}`;
}

const probe = runGenerator(["--probe"]);
const hasTorch = probe.status === 0;

describe("npm run fixtures", () => {
  it.runIf(!hasTorch && inCI)("has Python with torch 1.13 in CI (.ci/run installs python3-torch)", () => {
    expect.fail(`CI=true but the fixture generator cannot run:\n${probe.stderr}`);
  });
  if (!hasTorch && !inCI) it.skip("skipped: no Python 3 with torch 1.13 and numpy (apt-get install python3-torch python3-numpy)", () => {});
});

describe.runIf(hasTorch)("npm run fixtures rewrites test/fixtures/ byte-identically", () => {
  const listed = hasTorch ? runGenerator(["--list"]) : { status: 0, stdout: "{}", stderr: "" };
  const canWrite: Record<string, string | null> = JSON.parse(listed.stdout);
  const out = mkdtempSync(join(tmpdir(), "ndgrad-fixtures-"));
  let run = { status: 0 as number | null, stdout: "", stderr: "" };

  beforeAll(() => {
    run = runGenerator(["--out", out]);
  }, 900_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("has a generator for every committed fixture file", () => {
    const committed = committedJsonFiles(fixtures);
    expect(committed.filter((f) => !(f in canWrite))).toEqual([]);
  });

  it("runs to completion", () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  });

  for (const [file, whyNot] of Object.entries(canWrite)) {
    it.skipIf(whyNot !== null)(`writes ${file}${whyNot ? ` (not on this machine: ${whyNot})` : ""} byte-identically`, () => {
      const got = readFileSync(join(out, file));
      const want = readFileSync(join(fixtures, file));
      if (!got.equals(want)) expect.fail(`${file}: ${firstDifference(got, want)}`);
    });
  }
});
