// Saving and loading (Node only; the package's "ndgrad/io" entry): weights and optimizer state as safetensors, checkpoints.

export { save, load, loadWithMetadata, serialize, deserialize } from "./safetensors.ts";
export { saveCheckpoint, loadCheckpoint, type CheckpointContents, type CheckpointTargets, type LoadedCheckpoint, type SchedulerLike, type JsonValue } from "./checkpoint.ts";
