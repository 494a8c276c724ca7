// TensorDataset, subset and DataLoader: coverage per epoch, seeded and resumable shuffling, buffer reuse, validation.

import { describe, expect, it } from "vitest";
import { DataLoader, shuffledIndices, subset, TensorDataset, type Batch } from "../src/data/index.ts";

/** n samples of featureShape; every feature of sample i equals i + j/1000 (j its position), label i mod 7. */
function numbered(n: number, featureShape: number[] = [3]): TensorDataset {
  const f = featureShape.reduce((a, b) => a * b, 1);
  const features = Float32Array.from({ length: n * f }, (_, k) => Math.floor(k / f) + (k % f) / 1000);
  return new TensorDataset(features, Int32Array.from({ length: n }, (_, i) => i % 7), featureShape);
}

/** Each batch's indices, copied (the loader reuses its buffers), and checks x and y against them. */
function epochIndices(loader: DataLoader): number[][] {
  const out: number[][] = [];
  const f = loader.dataset.featureShape.reduce((a, b) => a * b, 1);
  for (const { x, y, indices } of loader) {
    expect(x.shape).toEqual([indices.length, ...loader.dataset.featureShape]);
    expect(x.dtype).toBe("float32");
    expect(y.length).toBe(indices.length);
    const values = x.data.data;
    indices.forEach((i, k) => {
      expect(y[k]).toBe(i % 7);
      expect(values[k * f]).toBe(i);
      expect(values[k * f + f - 1]).toBe(Math.fround(i + (f - 1) / 1000));
    });
    out.push(Array.from(indices));
  }
  return out;
}

describe("TensorDataset", () => {
  it("wraps the arrays without copying and gives samples as views", () => {
    const d = numbered(4, [2, 3]);
    expect(d.length).toBe(4);
    expect(d.featureShape).toEqual([2, 3]);
    expect(d.featureSize).toBe(6);
    const { x, y } = d.get(2);
    expect(Array.from(x)).toEqual([2, 2.001, 2.002, 2.003, 2.004, 2.005].map(Math.fround));
    expect(y).toBe(2);
    x[0] = -1;
    expect(d.features[12]).toBe(-1);
  });

  it("rejects arrays that do not fit", () => {
    expect(() => new TensorDataset(new Float32Array(10), new Int32Array(3), [3])).toThrow(
      "TensorDataset: 3 labels need 9 feature values (3 × [3]), but features hold 10",
    );
    expect(() => new TensorDataset(new Float64Array(3) as unknown as Float32Array, new Int32Array(1), [3])).toThrow("features must be a Float32Array, got Float64Array");
    expect(() => new TensorDataset(new Float32Array(3), [0] as unknown as Int32Array, [3])).toThrow("labels must be an Int32Array, got [0] (an array)");
    expect(() => new TensorDataset(new Float32Array(0), new Int32Array(0), [0])).toThrow("featureShape must be an array of positive integers, got [0]");
    expect(() => numbered(3).get(3)).toThrow("TensorDataset.get: index 3 is out of range for a dataset of 3 samples");
  });

  it("slices as Array.prototype.slice does, sharing memory", () => {
    const d = numbered(10);
    expect(Array.from(d.slice(2, 5).labels)).toEqual([2, 3, 4]);
    expect(d.slice(-2).length).toBe(2);
    expect(d.slice(8, 100).length).toBe(2);
    expect(d.slice(5, 2).length).toBe(0);
    const s = d.slice(3, 4);
    s.features[0] = 42;
    expect(d.features[9]).toBe(42);
  });

  it("subset picks samples in the given order and checks the indices", () => {
    const s = subset(numbered(10), [7, 2, 9]);
    expect(s.length).toBe(3);
    const batches = [...new DataLoader(s, { batchSize: 2, copy: true })];
    expect(batches.map((b) => Array.from(b.indices))).toEqual([[0, 1], [2]]);
    expect(batches.map((b) => Array.from(b.y))).toEqual([[0, 2], [2]]);
    const x = new Float32Array(6);
    const y = new Int32Array(2);
    s.gather([2, 0], x, y);
    expect(Array.from(x)).toEqual([9, 9.001, 9.002, 7, 7.001, 7.002].map(Math.fround));
    expect(Array.from(y)).toEqual([2, 0]);
    expect(() => subset(numbered(10), [1, 10])).toThrow("subset: indices[1] = 10 is out of range for a dataset of 10 samples (must be an integer in [0, 9])");
  });
});

describe("DataLoader", () => {
  const cases: [n: number, batchSize: number, dropLast: boolean][] = [
    [10, 3, false], [10, 3, true], [10, 5, false], [10, 5, true], [1, 4, false], [1, 4, true],
    [97, 8, false], [97, 8, true], [7, 7, false], [7, 100, false], [7, 100, true], [13, 1, false],
  ];

  it.each(cases)("n=%i, batchSize=%i, dropLast=%s: every sample exactly once per epoch, length batches", (n, batchSize, dropLast) => {
    for (const shuffle of [false, true]) {
      const loader = new DataLoader(numbered(n), { batchSize, shuffle, dropLast, seed: 5 });
      const expectedBatches = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
      expect(loader.length).toBe(expectedBatches);
      for (let epoch = 0; epoch < 3; epoch++) {
        const batches = epochIndices(loader);
        expect(batches.length).toBe(expectedBatches);
        batches.slice(0, -1).forEach((b) => expect(b.length).toBe(batchSize));
        const seen = batches.flat();
        const covered = dropLast ? expectedBatches * batchSize : n;
        expect(seen.length).toBe(covered);
        expect(new Set(seen).size).toBe(covered);
        if (!dropLast) expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        if (!shuffle) expect(seen).toEqual(Array.from({ length: covered }, (_, i) => i));
        expect(loader.epoch).toBe(epoch + 1);
      }
    }
  });

  it("batches multi-dimensional samples as [b, ...featureShape]", () => {
    const loader = new DataLoader(numbered(5, [2, 2]), { batchSize: 2 });
    const shapes = [...loader].map((b) => b.x.shape);
    expect(shapes).toEqual([[2, 2, 2], [2, 2, 2], [1, 2, 2]]);
  });

  it("the same seed gives the same order; other seeds and other epochs differ", () => {
    const orders = (seed: number) => {
      const loader = new DataLoader(numbered(50), { batchSize: 8, shuffle: true, seed });
      return [0, 1, 2].map(() => epochIndices(loader).flat());
    };
    const a = orders(1);
    expect(orders(1)).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    expect(a[2]).not.toEqual(a[1]);
    expect(orders(2)[0]).not.toEqual(a[0]);
    expect(a[0]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    // seed and epoch do not trade places: (seed 1, epoch 0) is not (seed 0, epoch 1)
    expect(shuffledIndices(50, 1, 0)).not.toEqual(shuffledIndices(50, 0, 1));
  });

  it("setEpoch reproduces the order of an uninterrupted run", () => {
    const uninterrupted = new DataLoader(numbered(40), { batchSize: 6, shuffle: true, seed: 7 });
    const run = [0, 1, 2, 3, 4].map(() => epochIndices(uninterrupted));
    const resumed = new DataLoader(numbered(40), { batchSize: 6, shuffle: true, seed: 7 });
    resumed.setEpoch(3);
    expect(epochIndices(resumed)).toEqual(run[3]);
    expect(epochIndices(resumed)).toEqual(run[4]);
    expect(resumed.permutation(2)).toEqual(Int32Array.from(run[2].flat()));
    expect(shuffledIndices(40, 7, 2)).toEqual(Int32Array.from(run[2].flat()));
    expect(() => resumed.setEpoch(-1)).toThrow("DataLoader.setEpoch: invalid epoch -1 (must be an integer >= 0)");
  });

  it("a loop left with break still uses up its epoch", () => {
    const loader = new DataLoader(numbered(20), { batchSize: 4, shuffle: true });
    for (const _ of loader) break;
    expect(loader.epoch).toBe(1);
    expect(epochIndices(loader).flat()).toEqual(Array.from(shuffledIndices(20, 0, 1)));
  });

  it("reuses its buffers between batches of equal size, across epochs too", () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4, shuffle: true });
    const seen: Batch[] = [];
    for (let epoch = 0; epoch < 2; epoch++) for (const b of loader) seen.push(b);
    const full = seen.filter((b) => b.y.length === 4);
    const tail = seen.filter((b) => b.y.length === 2);
    expect(full).toHaveLength(4);
    expect(tail).toHaveLength(2);
    for (const b of full) {
      expect(b.x.data.data).toBe(full[0].x.data.data);
      expect(b.y).toBe(full[0].y);
    }
    expect(tail[1].x.data.data).toBe(tail[0].x.data.data);
    expect(tail[0].x.data.data.length).toBe(2 * 3);
  });

  it("{ copy: true } gives every batch its own arrays, which stay valid", () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4, shuffle: true, copy: true });
    const kept = [...loader];
    expect(new Set(kept.map((b) => b.x.data.data)).size).toBe(3);
    expect(new Set(kept.map((b) => b.y)).size).toBe(3);
    for (const { x, y, indices } of kept) {
      indices.forEach((i, k) => {
        expect(x.data.data[k * 3]).toBe(i);
        expect(y[k]).toBe(i % 7);
      });
    }
  });

  it("two loops over one loader at once do not overwrite each other", () => {
    const loader = new DataLoader(numbered(6), { batchSize: 2 });
    const outer = loader[Symbol.iterator]();
    const first = outer.next().value as Batch;
    const inner = [...loader];
    expect(inner).toHaveLength(3);
    expect(Array.from(first.y)).toEqual([0, 1]);
    expect(first.x.data.data[0]).toBe(0);
  });

  it("an empty dataset yields nothing", () => {
    const empty = new TensorDataset(new Float32Array(0), new Int32Array(0), [784]);
    for (const dropLast of [false, true]) {
      const loader = new DataLoader(empty, { batchSize: 8, shuffle: true, dropLast });
      expect(loader.length).toBe(0);
      expect([...loader]).toEqual([]);
    }
  });

  it("rejects bad options, naming the option and the valid range", () => {
    const d = numbered(4);
    for (const bad of [0, -3, 1.5, NaN, Infinity]) {
      expect(() => new DataLoader(d, { batchSize: bad })).toThrow(`DataLoader: invalid batchSize ${bad} (must be an integer >= 1)`);
    }
    expect(() => new DataLoader(d, { batchSize: "8" as unknown as number })).toThrow('DataLoader: batchSize must be an integer >= 1, got "8" (a string)');
    expect(() => new DataLoader(d, {} as { batchSize: number })).toThrow("DataLoader: batchSize must be an integer >= 1, got undefined");
    expect(() => new DataLoader(d, { batchSize: 2, seed: 0.5 })).toThrow("DataLoader: invalid seed 0.5 (must be a safe integer)");
    expect(() => new DataLoader(d, { batchSize: 2, shuffle: "yes" as unknown as boolean })).toThrow('DataLoader: shuffle must be true or false, got "yes" (a string)');
    expect(() => new DataLoader([] as unknown as TensorDataset, { batchSize: 2 })).toThrow("DataLoader: dataset must be a Dataset");
  });
});
