// DataLoader: mini-batches of a Dataset, one epoch per iteration, with a shuffle order that depends only on (seed, epoch).

import { given, tensor, type Tensor } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";
import { Generator } from "../tensor/rng.ts";
import type { Dataset } from "./dataset.ts";

export interface DataLoaderOptions {
  /** Samples per batch (a positive integer). */
  batchSize: number;
  /** Visit the samples in a fresh random order every epoch (default false: dataset order). */
  shuffle?: boolean;
  /** Seeds the shuffle; the order of epoch e is a pure function of (seed, e). Default 0. */
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Give every batch its own fresh arrays instead of reusing the loader's buffers (default false). */
  copy?: boolean;
}

export interface Batch {
  /** Features, float32, shape [b, ...featureShape]. */
  x: Tensor;
  /** Class indices, length b. */
  y: Int32Array;
  /** The dataset index of each sample in the batch. */
  indices: Int32Array;
}

/** A batch's reusable arrays, and the tensor last handed out over them. */
type BatchBuffers = { x: Float32Array; y: Int32Array; batch?: Tensor };

/**
 * Iterates over a dataset in mini-batches. Each `for (const { x, y, indices } of loader)` runs one
 * epoch, then advances `loader.epoch` by one (also when the loop is left early with break);
 * `setEpoch(e)` sets it, for resuming a run.
 *
 * The shuffle order of epoch e is a Fisher–Yates shuffle driven by a Generator whose state depends
 * only on (seed, e), never on what ran before: a run resumed at epoch 3 sees exactly the order an
 * uninterrupted run sees there (the contract of PyTorch's DistributedSampler.set_epoch, made the
 * default).
 *
 * Buffer reuse: batches of equal size share one feature buffer, one label buffer and one index
 * buffer, so an epoch makes no garbage per batch. A yielded batch is therefore valid only until the
 * next one is yielded: copy what you keep (or pass `{ copy: true }` to get fresh arrays per batch).
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly copy: boolean;
  /** The epoch the next iteration runs (0 at first). */
  epoch = 0;

  private order: Int32Array | null = null;
  private buffers = new Map<number, BatchBuffers>();
  private running = 0;

  constructor(dataset: Dataset, options: DataLoaderOptions) {
    if (dataset === null || typeof dataset !== "object" || typeof dataset.gather !== "function" || !Number.isInteger(dataset.length) || !Array.isArray(dataset.featureShape)) {
      throw new TypeError("DataLoader: dataset must be a Dataset (length, featureShape and gather), e.g. a TensorDataset");
    }
    const { batchSize, shuffle = false, seed = 0, dropLast = false, copy = false } = checkOptions("DataLoader", options, { batchSize: true, shuffle: true, seed: true, dropLast: true, copy: true }, "an object with at least { batchSize }");
    if (typeof batchSize !== "number") throw new TypeError(`DataLoader: batchSize must be an integer >= 1, got ${given(batchSize)}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`DataLoader: invalid batchSize ${String(batchSize)} (must be an integer >= 1)`);
    }
    if (typeof seed !== "number") throw new TypeError(`DataLoader: seed must be a safe integer, got ${given(seed)}`);
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`DataLoader: invalid seed ${String(seed)} (must be a safe integer)`);
    }
    for (const [name, value] of [["shuffle", shuffle], ["dropLast", dropLast], ["copy", copy]] as const) {
      if (typeof value !== "boolean") throw new TypeError(`DataLoader: ${name} must be true or false, got ${given(value)}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
    this.copy = copy;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Sets the epoch the next iteration runs, e.g. when resuming from a checkpoint. */
  setEpoch(epoch: number): void {
    if (typeof epoch !== "number") throw new TypeError(`DataLoader.setEpoch: epoch must be an integer >= 0, got ${given(epoch)}`);
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`DataLoader.setEpoch: invalid epoch ${epoch} (must be an integer >= 0)`);
    this.epoch = epoch;
  }

  /**
   * The order in which epoch `epoch` visits the samples (dataset indices). Without shuffle it is
   * 0, 1, ..., n − 1. Returns a fresh array.
   */
  permutation(epoch: number = this.epoch): Int32Array {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`DataLoader.permutation: invalid epoch ${epoch} (must be an integer >= 0)`);
    return this.fillOrder(new Int32Array(this.dataset.length), epoch);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const n = this.dataset.length;
    const epoch = this.epoch;
    // A second loop over the same loader while one is in flight gets its own buffers, so the two never overwrite each other.
    const shared = this.running === 0 && !this.copy;
    this.running++;
    try {
      const order = shared ? (this.order !== null && this.order.length === n ? this.order : (this.order = new Int32Array(n))) : new Int32Array(n);
      this.fillOrder(order, epoch);
      const featureShape = this.dataset.featureShape;
      const featureSize = featureShape.reduce((a, b) => a * b, 1);
      const end = this.dropLast ? n - (n % this.batchSize) : n;
      const local = new Map<number, BatchBuffers>();
      for (let start = 0; start < end; start += this.batchSize) {
        const b = Math.min(this.batchSize, n - start);
        let buf: BatchBuffers;
        if (this.copy) {
          buf = { x: new Float32Array(b * featureSize), y: new Int32Array(b) };
        } else {
          const cache = shared ? this.buffers : local;
          buf = cache.get(b) ?? { x: new Float32Array(b * featureSize), y: new Int32Array(b) };
          cache.set(b, buf);
        }
        const indices = this.copy ? order.slice(start, start + b) : order.subarray(start, start + b);
        // The previous batch's tensor sees this write: a graph that saved it refuses to run backward.
        buf.batch?.bumpVersion();
        this.dataset.gather(indices, buf.x, buf.y);
        buf.batch = tensor(buf.x, { shape: [b, ...featureShape] });
        yield { x: buf.batch, y: buf.y, indices };
      }
    } finally {
      this.running--;
      // The epoch counts as used once started, so a loop cut short does not replay the same order next time.
      if (this.epoch === epoch) this.epoch = epoch + 1;
    }
  }

  private fillOrder(order: Int32Array, epoch: number): Int32Array {
    const n = order.length;
    for (let i = 0; i < n; i++) order[i] = i;
    if (!this.shuffle) return order;
    return shuffleInPlace(order, epochGenerator(this.seed, epoch));
  }
}

/**
 * A random permutation of 0, ..., n − 1 that depends only on (seed, epoch): the order a shuffling
 * DataLoader with this seed visits at that epoch. Also for seeded splits of a data set.
 */
export function shuffledIndices(n: number, seed = 0, epoch = 0): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`shuffledIndices: invalid n ${given(n)} (must be an integer >= 0)`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`shuffledIndices: invalid seed ${given(seed)} (must be a safe integer)`);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`shuffledIndices: invalid epoch ${given(epoch)} (must be an integer >= 0)`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, epochGenerator(seed, epoch));
}

/** Fisher–Yates (Durstenfeld's in-place form): every permutation equally likely. */
function shuffleInPlace(order: Int32Array, g: Generator): Int32Array {
  for (let i = order.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * A generator for (seed, epoch): the seed's generator with the epoch hashed into its state.
 * Seeding with a single number made of both (say seed + epoch) would make (1, 0) and (0, 1) collide.
 */
function epochGenerator(seed: number, epoch: number): Generator {
  const g = new Generator(seed);
  const state = g.getState();
  // Epochs past 2³² fold their high word in; nothing trains that long, but no two smaller epochs collide.
  let x = (epoch >>> 0) ^ Math.imul(Math.floor(epoch / 2 ** 32) >>> 0, 0x27d4eb2f);
  for (let i = 0; i < 4; i++) {
    // splitmix32 of (epoch, word index) with constants of its own, so it is not Generator's seeding again.
    x = (x + 0x6a09e667) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 15), 0x2c1b3c6d);
    z = Math.imul(z ^ (z >>> 12), 0x297a2d39);
    state[i] = (state[i] ^ (z ^ (z >>> 15))) >>> 0;
  }
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  g.setState(state);
  return g;
}
