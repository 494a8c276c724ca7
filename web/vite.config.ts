// The playground's Vite config: ndgrad imported from source with its browser platform, COOP/COEP for threads, MNIST files made at build time.

import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { mnistFiles } from "./mnist-files.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));
const platformBrowser = fileURLToPath(new URL("../src/kernels/wasm/platform-browser.ts", import.meta.url));

/** Cross-origin isolation: SharedArrayBuffer, hence the wasm kernels' worker threads. */
export const ISOLATION_HEADERS = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/** package.json's "browser" field for ndgrad's own sources: the wasm backend's platform seam becomes its browser twin. */
function browserPlatform(): Plugin {
  return {
    name: "ndgrad-browser-platform",
    enforce: "pre",
    resolveId(source) {
      return source.endsWith("/platform-node.ts") ? platformBrowser : null;
    },
  };
}

/** MNIST as static files: served by the dev server, written into dist by the build (never committed). */
function mnistData(): Plugin {
  return {
    name: "ndgrad-mnist-data",
    configureServer(server) {
      const files = mnistFiles();
      server.middlewares.use((req, res, next) => {
        const file = files.get((req.url ?? "").split("?")[0].replace(/^\//, ""));
        if (file === undefined) return next();
        res.setHeader("Content-Type", "application/octet-stream");
        res.end(file);
      });
    },
    generateBundle() {
      for (const [fileName, source] of mnistFiles()) this.emitFile({ type: "asset", fileName, source });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [browserPlatform(), mnistData()],
  server: { headers: ISOLATION_HEADERS, fs: { allow: [repo] } },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: "es", plugins: () => [browserPlatform()] },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096 },
});
