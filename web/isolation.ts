// The headers that make a page cross-origin isolated: SharedArrayBuffer, hence the wasm kernels' worker threads.

export const ISOLATION_HEADERS = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
