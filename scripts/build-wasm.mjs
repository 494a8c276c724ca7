// Compiles the AssemblyScript kernels (assembly/kernels.ts) to src/kernels/wasm/kernels.wasm, beside the
// module that loads it (dist/ gets a copy), and build/wasm/kernels.wat to read; then again with relaxed
// SIMD (fused multiply-add in the GEMM micro-kernel) to kernels-relaxed.wasm, for runtimes that have it.
// Run by `npm ci`/`npm install` (the root "prepare" script) and, if the file is missing, at load time.

import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { INITIAL_PAGES, MAXIMUM_PAGES } from "../src/kernels/wasm/protocol.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src", "kernels", "wasm");
const textOut = join(root, "build", "wasm");

/** The builds: output name and the wasm features it may use (platform-node.ts loads the second where the runtime has relaxed SIMD). */
const BUILDS = [["kernels", "simd,threads"], ["kernels-relaxed", "simd,threads,relaxed-simd"]];

export async function buildWasm({ quiet = false } = {}) {
  for (const [name, features] of BUILDS) await buildOne(name, features, quiet);
}

async function buildOne(name, features, quiet) {
  const asc = (await import("assemblyscript/asc")).default;
  // Write into a private folder, then rename: processes that build at once never read half a file.
  const tmp = join(textOut, `.tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const args = [
    join(root, "assembly", "kernels.ts"),
    "--outFile", join(tmp, `${name}.wasm`),
    "--textFile", join(tmp, `${name}.wat`),
    "-O3", "--noAssert",
    "--runtime", "stub",
    "--enable", features,
    "--importMemory", "--sharedMemory",
    "--initialMemory", String(INITIAL_PAGES), "--maximumMemory", String(MAXIMUM_PAGES),
    "--use", "abort=",
  ];
  const { error, stderr } = await asc.main(args, quiet ? { stdout: { write() {} } } : {});
  if (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`build-wasm: asc failed: ${error.message}\n${stderr.toString()}`);
  }
  renameSync(join(tmp, `${name}.wat`), join(textOut, `${name}.wat`));
  renameSync(join(tmp, `${name}.wasm`), join(out, `${name}.wasm`));
  rmSync(tmp, { recursive: true, force: true });
  if (!quiet) console.log(`build-wasm: wrote ${join("src", "kernels", "wasm", `${name}.wasm`)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWasm({ quiet: process.argv.includes("--quiet") });
}
