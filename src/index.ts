// ndgrad's public surface ("ndgrad"): re-exports only, the same list in Node and in a browser. Only
// the kernels' platform seam differs (kernels/wasm/platform-node.ts, or its browser twin in a bundle);
// Node-only parts have their own entries: io/ ("ndgrad/io"), report/, datasets/.

export * from "./tensor/index.ts";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./utils/gradcheck.ts";
export { toDot, type ToDotOptions } from "./utils/graph.ts";
export { detectAnomaly, isAnomalyEnabled, AnomalyError } from "./utils/anomaly.ts";
export * as data from "./data/index.ts";
export { DataLoader, TensorDataset, type Dataset } from "./data/index.ts";
export * as nn from "./nn/index.ts";
export * as optim from "./optim/index.ts";
export { TrainingDiagnostics, diagnosticsRecords, diagnosticsSeries, formatDiagnostics, ratioWarnings, type LayerStats, type DiagnosticsOptions } from "./utils/diagnostics.ts";
export { backendInfo, setBackend, getBackend, setNumThreads, getNumThreads, type Backend, type BackendInfo } from "./kernels/index.ts";
export { loadWasmKernels } from "./kernels/wasm/platform-node.ts";
