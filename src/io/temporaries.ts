// The temporary files of atomic saves: their names, and the removal of those whose process was killed mid-save.

import { randomBytes } from "node:crypto";
import { readdirSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** `.<name>.tmp-<pid>-<hex>` next to `path`: hidden, unique per save, and naming the process that writes it. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `${temporaryPrefix(path)}${process.pid}-${randomBytes(6).toString("hex")}`);
}

/** Deletes the temporaries of `path` whose process no longer runs (killed mid-save); those of live processes may still be renamed. */
export function removeStaleTemporaries(path: string): void {
  const dir = dirname(path);
  const prefix = temporaryPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // Another process may have cleaned it first.
    }
  }
}

function temporaryPrefix(path: string): string {
  return `.${basename(path)}.tmp-`;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
