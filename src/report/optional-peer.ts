// The optional peer dependencies of "ndgrad/report" (cli-progress, asciichart, vega, vega-lite), loaded when first used.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The error for a peer that is not installed, naming it and the command that installs it; other errors pass. */
function notInstalled(name: string, usedBy: string, error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  const missing = (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") && String((error as Error).message).includes(`'${name}'`);
  return missing ? new Error(`${usedBy} needs the npm package ${name}, an optional peer dependency of ndgrad/report that is not installed: run "npm install ${name}"`) : error;
}

/** A CommonJS peer, loaded synchronously. */
export function requirePeer<T>(name: string, usedBy: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    throw notInstalled(name, usedBy, error);
  }
}

/** An ES module peer. */
export async function importPeer<T>(name: string, usedBy: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw notInstalled(name, usedBy, error);
  }
}
