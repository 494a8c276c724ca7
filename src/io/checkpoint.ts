// Training checkpoints: model weights, optimizer state, scheduler, RNG, epoch, step and user data in one safetensors file.

import { readFileSync } from "node:fs";
import { fmt, fromArray, Tensor } from "../tensor/index.ts";
import { Module } from "../nn/module.ts";
import { Optimizer, type OptimizerStateDict } from "../optim/optimizer.ts";
import { Generator } from "../utils/rng.ts";
import { given } from "../nn/validate.ts";
import { deserialize, save, type SafetensorsContents } from "./safetensors.ts";

/*
 * The file is a plain safetensors file, readable by any safetensors reader:
 *
 *   tensors     "model.<name>"                       every entry of model.stateDict()
 *               "optimizer.state.<index>.<key>"      every buffer of optimizer.stateDict() (index as in
 *                                                    stateDict: parameters counted across groups in order)
 *   __metadata__ (strings, as the format requires; the JSON ones are marked)
 *               "format"      "ndgrad.checkpoint/1"
 *               "model"       JSON: { class }
 *               "optimizer"   JSON: { class, paramGroups, state: { index: { key: number } } } (the scalars)
 *               "scheduler"   JSON: { class, state }
 *               "rng"         JSON: the Generator's 4 state words
 *               "epoch", "step", "extra"   JSON
 *
 * Numbers in the JSON keep NaN, ±Infinity and -0 (as {"$float": "NaN"} etc.): JSON has none of them,
 * and a checkpoint must give back exactly what was saved. (So an object of `extra` whose only key
 * is "$float" reads back as a number: don't use that key.)
 */

const FORMAT = "ndgrad.checkpoint/1";
const MODEL_PREFIX = "model.";
const STATE_PREFIX = "optimizer.state.";

/** Anything with PyTorch's scheduler protocol: every lr scheduler and ReduceLROnPlateau. */
export interface SchedulerLike {
  stateDict(): Record<string, unknown>;
  loadStateDict(sd: Record<string, unknown>): void;
}

/** A value that JSON can hold (numbers may also be NaN, ±Infinity or -0: they are kept exactly). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What saveCheckpoint writes; every part is optional. */
export interface CheckpointContents {
  model?: Module;
  optimizer?: Optimizer;
  scheduler?: SchedulerLike;
  /** The number of finished epochs (an integer >= 0). */
  epoch?: number;
  /** The number of optimizer steps taken (an integer >= 0). */
  step?: number;
  /** A generator whose state to save, e.g. defaultGenerator (dropout, rand and randn draw from it). */
  rng?: Generator;
  /** Anything else worth keeping (a summary, a loss history, a config): plain JSON values. */
  extra?: JsonValue;
}

/** Where loadCheckpoint restores into; each part given must be present in the file. */
export interface CheckpointTargets {
  model?: Module;
  optimizer?: Optimizer;
  scheduler?: SchedulerLike;
  rng?: Generator;
}

/** What loadCheckpoint gives back beside the restored objects. */
export interface LoadedCheckpoint {
  epoch: number | null;
  step: number | null;
  extra: JsonValue | null;
  /** The saved generator state (4 words), or null if none was saved. */
  rng: number[] | null;
  /** Which parts the file holds. */
  has: { model: boolean; optimizer: boolean; scheduler: boolean; rng: boolean };
}

interface OptimizerMeta {
  class: string;
  paramGroups: OptimizerStateDict["paramGroups"];
  state: Record<string, Record<string, number>>;
}

/**
 * Saves a training checkpoint to `path` (one safetensors file). The write is atomic: the bytes go
 * to a temporary file in the same directory, are flushed with fsync and renamed over `path`, so a
 * crash or a kill at any instant leaves either the old checkpoint or the new one, whole. Temporary
 * files left by processes killed mid-save are removed by `save` when their process is gone; they
 * never confuse loading, which reads `path` only.
 */
export function saveCheckpoint(path: string, contents: CheckpointContents): void {
  const where = `saveCheckpoint "${path}"`;
  if (typeof path !== "string" || path === "") throw new TypeError(`saveCheckpoint: path must be a non-empty string, got ${given(path)}`);
  if (contents === null || typeof contents !== "object") throw new TypeError(`${where}: expected { model, optimizer, scheduler, epoch, step, rng, extra }, got ${given(contents)}`);
  const known = ["model", "optimizer", "scheduler", "epoch", "step", "rng", "extra"];
  for (const key of Object.keys(contents)) if (!known.includes(key)) throw new TypeError(`${where}: unknown entry "${key}" (valid: ${known.join(", ")})`);
  const { model, optimizer, scheduler, epoch, step, rng, extra } = contents;

  const tensors: Record<string, Tensor> = {};
  const metadata: Record<string, string> = { format: FORMAT };
  if (model !== undefined) {
    if (!(model instanceof Module)) throw new TypeError(`${where}: model must be an nn.Module, got ${given(model)}`);
    for (const [name, t] of Object.entries(model.stateDict())) tensors[MODEL_PREFIX + name] = t;
    metadata.model = JSON.stringify({ class: model.constructor.name });
  }
  if (optimizer !== undefined) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${where}: optimizer must be an optim.Optimizer, got ${given(optimizer)}`);
    const sd = optimizer.stateDict();
    const params = optimizer.paramGroups.flatMap((g) => g.params);
    const scalars: OptimizerMeta["state"] = {};
    for (const [id, entry] of Object.entries(sd.state)) {
      const p = params[Number(id)];
      scalars[id] = {};
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value === "number") scalars[id][key] = value;
        // Buffers the size of their parameter keep its shape; others (Adafactor's factors, L-BFGS's history) are saved flat.
        else tensors[`${STATE_PREFIX}${id}.${key}`] = bufferTensor(value, value.length === p.size ? p.shape : [value.length]);
      }
    }
    metadata.optimizer = encodeJson({ class: optimizer.name, paramGroups: sd.paramGroups, state: scalars } as unknown as JsonValue);
  }
  if (scheduler !== undefined) {
    if (scheduler === null || typeof scheduler !== "object" || typeof scheduler.stateDict !== "function" || typeof scheduler.loadStateDict !== "function") {
      throw new TypeError(`${where}: scheduler must be an lr scheduler (with stateDict and loadStateDict), got ${given(scheduler)}`);
    }
    metadata.scheduler = encodeJson({ class: scheduler.constructor.name, state: checkJson(scheduler.stateDict(), "scheduler state", where) });
  }
  if (epoch !== undefined) metadata.epoch = JSON.stringify(count(epoch, "epoch", where));
  if (step !== undefined) metadata.step = JSON.stringify(count(step, "step", where));
  if (rng !== undefined) {
    if (!(rng instanceof Generator)) throw new TypeError(`${where}: rng must be a Generator (e.g. defaultGenerator), got ${given(rng)}`);
    metadata.rng = JSON.stringify(rng.getState());
  }
  if (extra !== undefined) metadata.extra = encodeJson(checkJson(extra, "extra", where));

  save(path, tensors, metadata);
}

/**
 * Reads the checkpoint at `path` and restores the parts asked for: `model` weights (names, shapes
 * and dtypes must match exactly), `optimizer` state (same class, same parameter groups and shapes),
 * `scheduler` state (same class) and `rng` state. Everything is checked first, and should a restore
 * still fail midway the parts already restored are put back: on any error nothing has changed.
 * Returns epoch, step, extra and the RNG state (null for parts not saved).
 */
export function loadCheckpoint(path: string, targets: CheckpointTargets = {}): LoadedCheckpoint {
  if (typeof path !== "string" || path === "") throw new TypeError(`loadCheckpoint: path must be a non-empty string, got ${given(path)}`);
  const where = `loadCheckpoint "${path}"`;
  if (targets === null || typeof targets !== "object") throw new TypeError(`${where}: expected { model, optimizer, scheduler, rng }, got ${given(targets)}`);
  const known = ["model", "optimizer", "scheduler", "rng"];
  for (const key of Object.keys(targets)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown target "${key}" (valid: ${known.join(", ")}; epoch, step and extra are returned)`);
  }
  const { model, optimizer, scheduler, rng } = targets;
  if (model !== undefined && !(model instanceof Module)) throw new TypeError(`${where}: model must be an nn.Module, got ${given(model)}`);
  if (optimizer !== undefined && !(optimizer instanceof Optimizer)) throw new TypeError(`${where}: optimizer must be an optim.Optimizer, got ${given(optimizer)}`);
  if (scheduler !== undefined && (scheduler === null || typeof scheduler !== "object" || typeof scheduler.loadStateDict !== "function")) {
    throw new TypeError(`${where}: scheduler must be an lr scheduler, got ${given(scheduler)}`);
  }
  if (rng !== undefined && !(rng instanceof Generator)) throw new TypeError(`${where}: rng must be a Generator, got ${given(rng)}`);

  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
  const file = deserialize(bytes, where);
  const fail = (problem: string): never => {
    throw new Error(`${where}: ${problem}`);
  };
  const meta = file.metadata;
  if (meta.format !== FORMAT) {
    fail(meta.format === undefined ? `not an ndgrad checkpoint (no "format" metadata; a file of plain weights loads with load())` : `unsupported checkpoint format ${JSON.stringify(meta.format)} (this version reads ${FORMAT})`);
  }
  const parse = (key: string): unknown => {
    if (meta[key] === undefined) return undefined;
    try {
      return decodeJson(meta[key]);
    } catch (e) {
      return fail(`the "${key}" metadata is not valid JSON (${(e as Error).message}): corrupt checkpoint`);
    }
  };
  const epoch = parse("epoch");
  const step = parse("step");
  for (const [label, v] of [["epoch", epoch], ["step", step]] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || (v as number) < 0)) fail(`the "${label}" metadata is ${JSON.stringify(v)}, not an integer >= 0: corrupt checkpoint`);
  }
  const rngState = parse("rng");
  if (rngState !== undefined && (!Array.isArray(rngState) || rngState.length !== 4 || rngState.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff))) {
    fail(`the "rng" metadata is not 4 unsigned 32-bit words: corrupt checkpoint`);
  }

  // Check everything that can be checked without touching the targets.
  const has = { model: meta.model !== undefined, optimizer: meta.optimizer !== undefined, scheduler: meta.scheduler !== undefined, rng: rngState !== undefined };
  const modelState = model === undefined ? null : checkModel(model, file, has.model, fail);
  const optimizerState = optimizer === undefined ? null : checkOptimizer(optimizer, file, parse("optimizer") as OptimizerMeta | undefined, fail);
  let schedulerState: Record<string, unknown> | null = null;
  if (scheduler !== undefined) {
    const saved = parse("scheduler") as { class?: unknown; state?: unknown } | undefined;
    if (saved === undefined) fail("the checkpoint has no scheduler state (it was saved without a scheduler)");
    if (saved === null || typeof saved !== "object" || typeof saved.state !== "object" || saved.state === null) return fail(`the "scheduler" metadata is malformed: corrupt checkpoint`);
    const mine = scheduler.constructor.name;
    if (saved.class !== mine) fail(`the checkpoint holds the state of a ${String(saved.class)} scheduler, but the scheduler given is a ${mine}`);
    schedulerState = saved.state as Record<string, unknown>;
  }
  if (rng !== undefined && rngState === undefined) fail("the checkpoint has no RNG state (it was saved without rng)");

  // Restore, with a way back should a part's own checks refuse what passed ours.
  const undo: (() => void)[] = [];
  try {
    if (model !== undefined && modelState !== null) {
      const before = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
      model.loadStateDict(modelState);
      undo.push(() => model.loadStateDict(before));
    }
    if (optimizer !== undefined && optimizerState !== null) {
      const before = optimizer.stateDict();
      optimizer.loadStateDict(optimizerState);
      undo.push(() => optimizer.loadStateDict(before));
    }
    if (scheduler !== undefined && schedulerState !== null) {
      const before = scheduler.stateDict();
      scheduler.loadStateDict(schedulerState);
      undo.push(() => scheduler.loadStateDict(before));
    }
    if (rng !== undefined) rng.setState(rngState as number[]);
  } catch (e) {
    for (const back of undo.reverse()) back();
    throw new Error(`${where}: ${(e as Error).message.replace(/\.? ?Nothing was loaded\.$/, "")}; nothing was changed`, { cause: e });
  }
  return {
    epoch: (epoch as number | undefined) ?? null,
    step: (step as number | undefined) ?? null,
    extra: (parse("extra") as JsonValue | undefined) ?? null,
    rng: (rngState as number[] | undefined) ?? null,
    has,
  };
}

/** The model's entries from the file, after checking names, shapes and dtypes against the model. */
function checkModel(model: Module, file: SafetensorsContents, present: boolean, fail: (p: string) => never): Record<string, Tensor> {
  if (!present) fail("the checkpoint has no model weights (it was saved without a model)");
  const own = model.stateDict();
  const saved: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(file.tensors)) if (name.startsWith(MODEL_PREFIX)) saved[name.slice(MODEL_PREFIX.length)] = t;
  const problems: string[] = [];
  for (const [name, t] of Object.entries(own)) {
    const s = saved[name];
    if (s === undefined) problems.push(`the checkpoint has no "${name}" (the model's ${fmt(t.shape)} ${t.dtype})`);
    else if (!sameShape(s.shape, t.shape)) problems.push(`"${name}" has shape ${fmt(s.shape)} in the checkpoint but ${fmt(t.shape)} in the model`);
    else if (s.dtype !== t.dtype) problems.push(`"${name}" is ${s.dtype} in the checkpoint but ${t.dtype} in the model`);
  }
  for (const name of Object.keys(saved)) if (!(name in own)) problems.push(`the checkpoint has "${name}" ${fmt(saved[name].shape)}, which the model does not`);
  if (problems.length > 0) fail(`the checkpoint does not fit the model (${model.constructor.name}): ${problems.join("; ")}. Nothing was loaded`);
  return saved;
}

/** The optimizer's state dict rebuilt from the file, after checking class, groups and buffer shapes. */
function checkOptimizer(optimizer: Optimizer, file: SafetensorsContents, saved: OptimizerMeta | undefined, fail: (p: string) => never): OptimizerStateDict {
  if (saved === undefined) fail("the checkpoint has no optimizer state (it was saved without an optimizer)");
  if (saved === null || typeof saved !== "object" || !Array.isArray(saved!.paramGroups) || saved!.state === null || typeof saved!.state !== "object") {
    fail(`the "optimizer" metadata is malformed: corrupt checkpoint`);
  }
  const meta = saved as OptimizerMeta;
  if (meta.class !== optimizer.name) fail(`the checkpoint holds ${String(meta.class)} state, but the optimizer given is ${optimizer.name}`);
  const params = optimizer.paramGroups.flatMap((g) => g.params);
  const savedSizes = meta.paramGroups.map((g) => (Array.isArray(g?.params) ? g.params.length : NaN));
  const ownSizes = optimizer.paramGroups.map((g) => g.params.length);
  if (savedSizes.length !== ownSizes.length || savedSizes.some((n, i) => n !== ownSizes[i])) {
    fail(`the checkpoint's ${meta.class} has parameter groups of ${savedSizes.join(", ")} parameters, this one has ${ownSizes.join(", ")}`);
  }
  const state: OptimizerStateDict["state"] = {};
  for (const [id, scalars] of Object.entries(meta.state)) state[id] = { ...scalars };
  for (const [name, t] of Object.entries(file.tensors)) {
    if (!name.startsWith(STATE_PREFIX)) continue;
    const rest = name.slice(STATE_PREFIX.length);
    const dot = rest.indexOf(".");
    const id = rest.slice(0, dot);
    const key = rest.slice(dot + 1);
    const p = params[Number(id)];
    if (dot < 1 || !/^\d+$/.test(id) || p === undefined) fail(`"${name}" names no parameter of the optimizer (it has ${params.length})`);
    // A flat buffer's length is checked by the optimizer's loadStateDict.
    if (!sameShape(t.shape, p.shape) && t.shape.length !== 1) fail(`"${name}" has shape ${fmt(t.shape)} but parameter ${id} has shape ${fmt(p.shape)}`);
    (state[id] ??= {})[key] = Array.from(t.values());
  }
  return { state, paramGroups: meta.paramGroups };
}

/** A state buffer as a tensor shaped like its parameter: float32 when that is exact, else float64. */
function bufferTensor(values: number[], shape: readonly number[]): Tensor {
  const narrow = values.every((v) => Object.is(Math.fround(v), v) || Number.isNaN(v));
  return fromArray(narrow ? Float32Array.from(values) : Float64Array.from(values), shape.slice());
}

function count(v: unknown, label: string, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new RangeError(`${where}: ${label} must be an integer >= 0, got ${given(v)}`);
  return v;
}

/** Throws a TypeError naming the path of the first value JSON cannot hold (a typed array, a function, a Map...). */
function checkJson(value: unknown, path: string, where: string, seen = new Set<object>()): JsonValue {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (typeof value !== "object") throw new TypeError(`${where}: ${path} is ${given(value)}, which a checkpoint cannot hold (plain JSON values only)`);
  if (seen.has(value)) throw new TypeError(`${where}: ${path} refers back to itself (a cycle), which a checkpoint cannot hold`);
  seen.add(value);
  if (Array.isArray(value)) value.forEach((v, i) => checkJson(v, `${path}[${i}]`, where, seen));
  else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const hint = ArrayBuffer.isView(value) ? " (convert it with Array.from)" : "";
      throw new TypeError(`${where}: ${path} is a ${given(value)}, which a checkpoint cannot hold (plain objects, arrays, numbers, strings, booleans and null only)${hint}`);
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      checkJson(v, `${path}.${k}`, where, seen);
    }
  }
  seen.delete(value);
  return value as JsonValue;
}

/** JSON text that keeps NaN, ±Infinity and -0 as {"$float": "..."}. */
function encodeJson(value: JsonValue): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return { $float: Object.is(v, -0) ? "-0" : String(v) };
    return v;
  });
}

function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$float") {
        const s = (v as { $float: unknown }).$float;
        if (s === "NaN") return NaN;
        if (s === "Infinity") return Infinity;
        if (s === "-Infinity") return -Infinity;
        if (s === "-0") return -0;
      }
    }
    return v;
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
