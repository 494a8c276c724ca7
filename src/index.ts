// ndgrad's public surface: re-exports only.

export * from "./tensor/index.ts";
export { manualSeed, Generator, defaultGenerator } from "./utils/rng.ts";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./utils/gradcheck.ts";
export { toDot, type ToDotOptions } from "./utils/graph.ts";
export { detectAnomaly, isAnomalyEnabled, AnomalyError } from "./utils/anomaly.ts";
export * as data from "./data/index.ts";
export { DataLoader, TensorDataset, type Dataset } from "./data/index.ts";
export * as nn from "./nn/index.ts";
export { save, load, loadWithMetadata, serialize, deserialize } from "./io/safetensors.ts";
export { saveCheckpoint, loadCheckpoint, type CheckpointContents, type CheckpointTargets, type LoadedCheckpoint, type SchedulerLike, type JsonValue } from "./io/checkpoint.ts";
export * as optim from "./optim/index.ts";
export { TrainingDiagnostics, diagnosticsRecords, diagnosticsSeries, formatDiagnostics, ratioWarnings, type LayerStats, type DiagnosticsOptions } from "./utils/diagnostics.ts";
export { setBackend, getBackend, setNumThreads, getNumThreads, backendInfo, type Backend, type BackendInfo } from "./kernels/index.ts";
