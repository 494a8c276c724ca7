// The page's one line about ndgrad's backend: what runs, on how many threads, and why only one when the page is not isolated.

export function describeBackend(where: string, backend: string, threads: number, isolated: boolean): string {
  const kind = backend === "wasm" ? "wasm SIMD kernels" : "JavaScript kernels";
  return isolated
    ? `${where}: ${kind}, ${threads} thread${threads === 1 ? "" : "s"} (cross-origin isolated)`
    : `${where}: ${kind} on one thread: this page is not cross-origin isolated (served without COOP/COEP), so there is no shared memory for worker threads`;
}
