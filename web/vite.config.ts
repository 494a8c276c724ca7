// The playground's Vite config: ndgrad imported from source (package.json's "browser" field picks its web platform), COOP/COEP for threads, MNIST files made at build time.

import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { ISOLATION_HEADERS } from "./isolation.ts";
import { mnistFiles } from "./mnist-files.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));

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
  plugins: [mnistData()],
  server: { headers: ISOLATION_HEADERS, fs: { allow: [repo] } },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096 },
});
