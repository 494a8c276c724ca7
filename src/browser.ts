// The browser entry when bundling from source: index.ts itself (the list is written once). Bundle it with
// package.json's "browser" field honoured, which swaps kernels/wasm/platform-node.ts for platform-browser.ts.

export * from "./index.ts";
