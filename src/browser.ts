// ndgrad's browser entry: the public surface of index.ts minus what needs Node (io/: save, load,
// checkpoints), plus `loadWasmKernels`. Bundle it with package.json's "browser" field honoured, so
// that kernels/wasm/platform-node.ts becomes platform-browser.ts (test/browser-bundle.test.ts checks it).
// Keep this list in step with index.ts.

export * from "./tensor/index.ts";
export { manualSeed, Generator, defaultGenerator } from "./utils/rng.ts";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./utils/gradcheck.ts";
export { toDot, type ToDotOptions } from "./utils/graph.ts";
export { detectAnomaly, isAnomalyEnabled, AnomalyError } from "./utils/anomaly.ts";
export * as data from "./data/index.ts";
export { DataLoader, TensorDataset, type Dataset } from "./data/index.ts";
export * as nn from "./nn/index.ts";
export * as optim from "./optim/index.ts";
export { TrainingDiagnostics, diagnosticsRecords, diagnosticsSeries, formatDiagnostics, ratioWarnings, type LayerStats, type DiagnosticsOptions } from "./utils/diagnostics.ts";
export { setBackend, getBackend, setNumThreads, getNumThreads, backendInfo, type Backend, type BackendInfo } from "./kernels/index.ts";
export { loadWasmKernels } from "./kernels/wasm/platform-browser.ts";
