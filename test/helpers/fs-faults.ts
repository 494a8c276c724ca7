// A stand-in for a full disk and a missing data set, preloaded into an example's process: node --import tsx --import ./test/helpers/fs-faults.ts ...
//
//   NDGRAD_FULL_DISK=DIR   every write into a file under DIR fails with ENOSPC (opening and mkdir still work, as on a real full disk)
//   NDGRAD_HIDE_PATH=P     P and everything under it look absent to existsSync and statSync
//
// node:fs's functions are replaced on the module object and syncBuiltinESMExports() carries them to
// every `import { writeFileSync } from "node:fs"`, so the example runs unchanged.

import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { resolve, sep } from "node:path";

const under = (root: string | undefined, path: unknown): boolean => {
  if (root === undefined || (typeof path !== "string" && !(path instanceof URL))) return false;
  const p = resolve(path instanceof URL ? path.pathname : path);
  const r = resolve(root);
  return p === r || p.startsWith(r + sep);
};

const fullDisk = process.env.NDGRAD_FULL_DISK;
const hidden = process.env.NDGRAD_HIDE_PATH;

function enospc(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: "ENOSPC", errno: -28, syscall });
}

if (fullDisk !== undefined) {
  const fdsOnFullDisk = new Set<number>();
  const { openSync, closeSync, writeSync, writeFileSync, appendFileSync } = fs;
  fs.openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    const fd = (openSync as (...a: unknown[]) => number)(path, ...rest);
    if (under(fullDisk, path)) fdsOnFullDisk.add(fd);
    return fd;
  }) as typeof fs.openSync;
  fs.closeSync = ((fd: number) => {
    fdsOnFullDisk.delete(fd);
    closeSync(fd);
  }) as typeof fs.closeSync;
  fs.writeSync = ((fd: number, ...rest: unknown[]) => {
    if (fdsOnFullDisk.has(fd)) throw enospc("write");
    return (writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  fs.writeFileSync = ((path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (under(fullDisk, path)) throw enospc("write");
    (writeFileSync as (...a: unknown[]) => void)(path, ...rest);
  }) as typeof fs.writeFileSync;
  fs.appendFileSync = ((path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (under(fullDisk, path)) throw enospc("write");
    (appendFileSync as (...a: unknown[]) => void)(path, ...rest);
  }) as typeof fs.appendFileSync;
}

if (hidden !== undefined) {
  const { existsSync, statSync } = fs;
  fs.existsSync = ((path: fs.PathLike) => !under(hidden, path) && existsSync(path)) as typeof fs.existsSync;
  (fs as { statSync: unknown }).statSync = (path: fs.PathLike, options?: fs.StatSyncOptions) => {
    if (!under(hidden, path)) return statSync(path, options);
    if (options?.throwIfNoEntry === false) return undefined;
    throw Object.assign(new Error(`ENOENT: no such file or directory, stat '${String(path)}'`), { code: "ENOENT", syscall: "stat" });
  };
}

syncBuiltinESMExports();
