// How an example fails: one line per I/O error (what failed, where, what to do) while the run goes on, and a crash that says what it was doing.

import { mkdirSync } from "node:fs";
import { backendInfo } from "../../src/index.ts";
import { createRunDir } from "../../src/report/index.ts";

/** What the script is doing now (e.g. optimizer, epoch, step): printed should it crash. */
const activity = new Map<string, string | number>();
let failedWrites = 0;
/** What to save should the script crash (e.g. the metrics gathered so far). */
const onCrash: (() => void)[] = [];

/** Records what the script is doing, e.g. doing({ optimizer: "adam", epoch: 2, step: 517 }); null removes a field. */
export function doing(fields: Record<string, string | number | null>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) activity.delete(key);
    else activity.set(key, value);
  }
}

/** The compute backend's state, for errors from the kernels or the thread pool: every field backendInfo() reports. */
export function backendState(): string {
  return Object.entries(backendInfo()).map(([key, value]) => `${key} ${String(value)}`).join(", ");
}

const WORDS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EEXIST: "a file is in the way",
  ENOTDIR: "a file is in the way where a directory should be",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOENT: "no such file or directory",
};

/** The system error's code, also when wrapped (io's save() puts it in `cause`). */
function errorCode(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  return err?.code ?? (err?.cause as NodeJS.ErrnoException | undefined)?.code;
}

/** The reason for an error in words, with its code: "no space left on device (ENOSPC)". */
export function reason(e: unknown): string {
  const code = errorCode(e);
  if (code !== undefined && WORDS[code] !== undefined) return `${WORDS[code]} (${code})`;
  return String((e as Error)?.message ?? e).split("\n")[0];
}

/** What to do about a write under `flag` (e.g. "--out") that failed. */
function advice(e: unknown, flag: string): string {
  const code = errorCode(e);
  if (code === "ENOSPC" || code === "EDQUOT") return `free some space, or pass ${flag} a directory on another disk`;
  if (code === "EEXIST" || code === "ENOTDIR") return `remove that file, or pass ${flag} another path`;
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") return `pass ${flag} a directory you can write to`;
  return `check ${flag}`;
}

/**
 * Runs `write` (saving `what` at `path`, chosen with `flag`). On an error prints one line, "error:
 * could not save <what> to <path>: <reason>; <what to do>", marks the run failed, and returns false:
 * the caller carries on with what it has.
 */
export function tryWrite(what: string, path: string, flag: string, write: () => void): boolean {
  try {
    write();
    return true;
  } catch (e) {
    failedWrites++;
    process.stderr.write(`\nerror: could not save ${what} to ${path}: ${reason(e)}; ${advice(e, flag)}\n`);
    return false;
  }
}

/** Runs `start`, which the script cannot go on without (the data, the run folder): an error ends it with one line and status 1. */
export function orExit<T>(what: string, start: () => T, flag?: string): T {
  try {
    return start();
  } catch (e) {
    process.stderr.write(`error: could not ${what}: ${(e as Error)?.message?.split("\n")[0] ?? String(e)}${flag ? `; ${advice(e, flag)}` : ""}\n`);
    process.exit(1);
  }
}

/** The folder an example writes into: --out DIR as given (made if need be), or a fresh runs/<prefix>-<timestamp>. */
export function makeOutDir(out: string | undefined, prefix: string): string {
  if (out === undefined) return createRunDir("runs", prefix);
  mkdirSync(out, { recursive: true });
  return out;
}

/** The exit status a run ends with: 1 when some write failed (its one-line errors were printed), else 0. */
export function exitStatus(): number {
  return failedWrites > 0 ? 1 : 0;
}

/** Registers `keep` to run should the script crash (after the explanation), and returns it. */
export function keepOnCrash<F extends () => unknown>(keep: F): F {
  onCrash.push(keep);
  return keep;
}

/**
 * Makes an uncaught error print, before its stack, what `script` was doing (from doing()) and, for
 * errors from the kernels or the thread pool, the backend's state; then runs what keepOnCrash
 * registered, and exits with 1.
 */
export function explainCrashes(script: string): void {
  const explain = (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    const what = activity.size > 0 ? ` while training (${[...activity].map(([k, v]) => `${k} ${v}`).join(", ")})` : "";
    const fromKernels = /src[\\/]kernels[\\/]|worker/i.test(`${err.stack ?? ""}\n${err.message}`);
    process.stderr.write(`\n${script} crashed${what}: ${err.message}\n${fromKernels ? `${backendState()}\n` : ""}${err.stack ?? ""}\nnode ${process.version}\n`);
    for (const keep of onCrash.splice(0)) {
      try {
        keep();
      } catch {
        // The crash is the error to report; what could not be kept is simply lost.
      }
    }
    process.exit(1);
  };
  process.on("uncaughtException", explain);
  process.on("unhandledRejection", explain);
}
