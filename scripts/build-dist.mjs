// Builds the package into dist/ (run by `npm ci` and `npm pack`): ESM JavaScript for Node and for browsers,
// .d.ts declarations, and the kernels' assets beside the code that finds them from its own URL.
//
//   dist/index.js io.js report.js datasets.js (+ shared chunks)  Node build ("node" condition, subpaths)
//   dist/browser.js                                              the same public list for bundlers ("browser")
//   dist/kernels.wasm worker*.mjs                                found with new URL("./...", import.meta.url)
//   dist/types/                                                  declarations (tsconfig.build.json)

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const kernelDir = join(root, "src", "kernels", "wasm");

/** The package's entries in the Node build: output name -> source. */
export const nodeEntries = {
  index: "src/index.ts",
  io: "src/io/index.ts",
  report: "src/report/index.ts",
  datasets: "datasets/index.ts",
};

/** The Node and browser builds share these settings; dependencies stay imports (packages: "external"). */
const common = { absWorkingDir: root, bundle: true, format: "esm", target: "es2022", packages: "external", logLevel: "warning" };

/** Rewrites relative ".ts" specifiers of the emitted declarations to ".js", as consumers resolve them. */
function rewriteDeclarations(dir) {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) rewriteDeclarations(file);
    else if (name.endsWith(".d.ts")) {
      const text = readFileSync(file, "utf8");
      writeFileSync(file, text.replace(/((?:from |import\()["']\.{1,2}\/[^"']*)\.ts(["'])/g, "$1.js$2"));
    }
  }
}

export async function buildDist() {
  if (!existsSync(join(kernelDir, "kernels.wasm"))) throw new Error("build-dist: src/kernels/wasm/kernels.wasm is missing; run `node scripts/build-wasm.mjs` first");
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  await build({ ...common, entryPoints: nodeEntries, outdir: dist, platform: "node", splitting: true, chunkNames: "[name]-[hash]" });
  // Bundled for browsers from the same index.ts; package.json's "browser" field swaps in the kernels' web platform.
  await build({ ...common, entryPoints: { browser: "src/index.ts" }, outdir: dist, platform: "browser" });
  for (const name of readdirSync(kernelDir)) {
    if (name.endsWith(".wasm") || name.endsWith(".mjs")) copyFileSync(join(kernelDir, name), join(dist, name));
  }
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
  rewriteDeclarations(join(dist, "types"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDist();
  console.log("build-dist: wrote dist/");
}
