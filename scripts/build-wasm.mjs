// Compiles the AssemblyScript kernels (assembly/kernels.ts) to src/kernels/wasm/kernels.wasm, beside the
// module that loads it (dist/ gets a copy), and build/wasm/kernels.wat to read.
// Run by `npm ci`/`npm install` (the root "prepare" script) and, if the file is missing, at load time.

import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { INITIAL_PAGES, MAXIMUM_PAGES } from "../src/kernels/wasm/protocol.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src", "kernels", "wasm");
const textOut = join(root, "build", "wasm");

export async function buildWasm({ quiet = false } = {}) {
  const asc = (await import("assemblyscript/asc")).default;
  // Write into a private folder, then rename: processes that build at once never read half a file.
  const tmp = join(textOut, `.tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const args = [
    join(root, "assembly", "kernels.ts"),
    "--outFile", join(tmp, "kernels.wasm"),
    "--textFile", join(tmp, "kernels.wat"),
    "-O3", "--noAssert",
    "--runtime", "stub",
    "--enable", "simd,threads",
    "--importMemory", "--sharedMemory",
    "--initialMemory", String(INITIAL_PAGES), "--maximumMemory", String(MAXIMUM_PAGES),
    "--use", "abort=",
  ];
  const { error, stderr } = await asc.main(args, quiet ? { stdout: { write() {} } } : {});
  if (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`build-wasm: asc failed: ${error.message}\n${stderr.toString()}`);
  }
  renameSync(join(tmp, "kernels.wat"), join(textOut, "kernels.wat"));
  renameSync(join(tmp, "kernels.wasm"), join(out, "kernels.wasm"));
  rmSync(tmp, { recursive: true, force: true });
  if (!quiet) console.log(`build-wasm: wrote ${join("src", "kernels", "wasm", "kernels.wasm")}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWasm({ quiet: process.argv.includes("--quiet") });
}
