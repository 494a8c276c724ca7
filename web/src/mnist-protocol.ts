// The messages between the MNIST view and its training worker.

export interface RacerSpec {
  name: string;
  options: Record<string, unknown>;
}

export type ToWorker =
  | { type: "start"; racers: RacerSpec[]; steps: number; batch: number; hidden: number; seed: number; threads: number | null }
  | { type: "pause" }
  | { type: "resume" };

/** What the worker's ndgrad runs on: the backend, its thread count, and whether the page may share memory. */
export interface BackendLine {
  backend: string;
  threads: number;
  isolated: boolean;
}

export type FromWorker =
  | { type: "ready"; backend: BackendLine; trainSize: number; testSize: number }
  | { type: "loss"; name: string; step: number; loss: number }
  | { type: "accuracy"; name: string; step: number; accuracy: number }
  | { type: "paused"; step: number }
  | { type: "resumed" }
  | { type: "result"; name: string; lr: number; steps: number; firstLoss: number; loss: number; accuracy: number; seconds: number; samplesPerSec: number }
  | { type: "done"; backend: BackendLine; backendInfo: Record<string, unknown> }
  | { type: "error"; message: string };

/** Digits of the test set scored every ACCURACY_EVERY steps for the live chart (the final score uses all). */
export const QUICK_TEST_SIZE = 1000;
export const ACCURACY_EVERY = 25;
export const PIXELS = 28 * 28;
