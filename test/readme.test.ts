// Every TypeScript snippet of README.md runs as written (and type-checks), and so does every JavaScript
// one that needs nothing but ndgrad. In this repository "ndgrad" resolves to src/ (tsconfig.json's paths).

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readmeBlocks } from "./helpers/readme.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
mkdirSync(join(root, ".cache"), { recursive: true });
// Inside the repository, so that the snippets' imports resolve from its node_modules.
const dir = mkdtempSync(join(root, ".cache", "readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packages a block imports (bare specifiers), e.g. ["ndgrad", "ndgrad/io"]. */
const imports = (code: string) => [...code.matchAll(/^import .* from "([^".][^"]*)";$/gm)].map((m) => m[1]);
const onlyNdgrad = (code: string) => imports(code).every((p) => p === "ndgrad" || p.startsWith("ndgrad/"));

const blocks = readmeBlocks();
const ts = blocks.filter((b) => b.lang === "ts");
const js = blocks.filter((b) => b.lang === "js" && onlyNdgrad(b.code));

function runSnippet(file: string): void {
  try {
    execFileSync(process.execPath, [tsx, "--tsconfig", join(root, "tsconfig.json"), file], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    expect.fail(`${file} failed:\n${e.stderr || e.message}`);
  }
}

describe("README.md", () => {
  it("has the snippets this test runs", () => {
    expect(ts.length).toBeGreaterThanOrEqual(5);
    expect(js.length).toBeGreaterThanOrEqual(1);
    for (const b of ts) expect(onlyNdgrad(b.code), `README line ${b.line}`).toBe(true);
  });

  it.each(ts)("runs the TypeScript snippet at line $line", ({ code, line }) => {
    const file = join(dir, `snippet-${line}.mts`);
    writeFileSync(file, code);
    runSnippet(file);
  });

  it.each(js)("runs the JavaScript snippet at line $line", ({ code, line }) => {
    const file = join(dir, `snippet-${line}.mjs`);
    writeFileSync(file, code);
    runSnippet(file);
  });

  it("type-checks the TypeScript snippets", () => {
    const check = join(dir, "typecheck");
    mkdirSync(check);
    for (const { code, line } of ts) writeFileSync(join(check, `snippet-${line}.mts`), `${code}export {};\n`);
    writeFileSync(join(check, "tsconfig.json"), JSON.stringify({ extends: join(root, "tsconfig.json"), include: ["*.mts"] }));
    try {
      execFileSync(process.execPath, [tsc, "-p", join(check, "tsconfig.json")], { cwd: check, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 });
    } catch (error) {
      expect.fail(`tsc on the README's snippets:\n${(error as { stdout?: string }).stdout}`);
    }
  });
});
