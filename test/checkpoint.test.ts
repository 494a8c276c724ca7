// Checkpoints: a stopped and resumed run equals the uninterrupted one to the bit; a wrong or corrupt file fails clearly and changes nothing.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataLoader, TensorDataset, defaultGenerator, manualSeed, nn, optim, randn, Generator, type Tensor } from "../src/index.ts";
import { loadCheckpoint, saveCheckpoint, save } from "../src/io/index.ts";

const dir = mkdtempSync(join(tmpdir(), "ndgrad-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 200 samples of 20 features in 4 classes, the same every time. */
function syntheticData(): TensorDataset {
  const g = new Generator(7);
  const n = 200;
  const x = new Float32Array(n * 20);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = g.int(4);
    for (let j = 0; j < 20; j++) x[i * 20 + j] = g.normal() + (j % 4 === y[i] ? 1 : 0);
  }
  return new TensorDataset(x, y, [20]);
}

/** A fresh 20-32-4 MLP with dropout, Adam, a StepLR and a shuffling loader, all from seed 0. */
function setup() {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(20, 32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 4));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
  const loader = new DataLoader(syntheticData(), { batchSize: 16, shuffle: true, seed: 3 });
  return { model, optimizer, scheduler, loader };
}

function trainEpoch({ model, optimizer, scheduler, loader }: ReturnType<typeof setup>, losses: number[]): void {
  for (const { x, y } of loader) {
    optimizer.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  scheduler.step();
}

describe("resuming", () => {
  it("a run stopped after epoch 2 and resumed into fresh objects gives the same losses, to the bit, as the run never stopped", () => {
    const uninterrupted: number[] = [];
    const a = setup();
    for (let epoch = 1; epoch <= 4; epoch++) trainEpoch(a, uninterrupted);

    const resumed: number[] = [];
    const path = join(dir, "resume.safetensors");
    const first = setup();
    for (let epoch = 1; epoch <= 2; epoch++) trainEpoch(first, resumed);
    saveCheckpoint(path, { model: first.model, optimizer: first.optimizer, scheduler: first.scheduler, epoch: 2, step: resumed.length, rng: defaultGenerator, extra: { losses: resumed } });

    manualSeed(12345); // whatever happened in between: the checkpoint's RNG state must win
    const second = setup();
    const info = loadCheckpoint(path, { model: second.model, optimizer: second.optimizer, scheduler: second.scheduler, rng: defaultGenerator });
    second.loader.setEpoch(info.epoch!);
    const continued = [...(info.extra as { losses: number[] }).losses];
    expect(info.step).toBe(continued.length);
    for (let epoch = 3; epoch <= 4; epoch++) trainEpoch(second, continued);

    expect(continued).toHaveLength(uninterrupted.length);
    continued.forEach((loss, i) => expect(Object.is(loss, uninterrupted[i]), `step ${i + 1}: ${loss} vs ${uninterrupted[i]}`).toBe(true));
    expect(second.optimizer.paramGroups[0].lr).toBe(a.optimizer.paramGroups[0].lr);
    for (const [name, t] of Object.entries(second.model.stateDict())) expect(t.values(), name).toEqual(a.model.stateDict()[name].values());
  });

  it("restores the state of every optimizer exactly (buffers, step counts, options)", () => {
    for (const name of optim.available()) {
      manualSeed(1);
      const make = () => {
        const model = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh(), new nn.Linear(5, 2));
        return { model, optimizer: optim.create(name, model.parameters(), ["sgd", "momentum", "nag"].includes(name) ? { lr: 0.1, momentum: 0.5 } : {}) };
      };
      const a = make();
      const x = randn([6, 3]);
      // With a closure, so that L-BFGS (which needs one) takes part: the others call it once.
      const closure = () => {
        a.optimizer.zeroGrad();
        const loss = a.model.forward(x).pow(2).mean();
        loss.backward();
        return loss;
      };
      for (let i = 0; i < 3; i++) a.optimizer.step(closure);
      const path = join(dir, `opt-${name}.safetensors`);
      saveCheckpoint(path, { model: a.model, optimizer: a.optimizer });
      manualSeed(99);
      const b = make();
      loadCheckpoint(path, { model: b.model, optimizer: b.optimizer });
      expect(JSON.stringify(b.optimizer.stateDict()), name).toBe(JSON.stringify(a.optimizer.stateDict()));
    }
  });

  it("keeps extra exactly, NaN, ±Infinity and -0 included, and reports what the file holds", () => {
    const path = join(dir, "extra.safetensors");
    const extra = { loss: NaN, best: -Infinity, top: Infinity, zero: -0, list: [1.5, "a", null, true], nested: { deep: [0.1] } };
    saveCheckpoint(path, { epoch: 0, extra });
    const info = loadCheckpoint(path);
    expect(info).toMatchObject({ epoch: 0, step: null, rng: null, has: { model: false, optimizer: false, scheduler: false, rng: false } });
    const back = info.extra as typeof extra;
    expect(back.loss).toBeNaN();
    expect(back.best).toBe(-Infinity);
    expect(back.top).toBe(Infinity);
    expect(Object.is(back.zero, -0)).toBe(true);
    expect(back.list).toEqual(extra.list);
    expect(back.nested).toEqual(extra.nested);
  });

  it("is a plain safetensors file: weights as model.<name>, optimizer buffers as optimizer.state.<index>.<key>", async () => {
    const { loadWithMetadata } = await import("../src/io/safetensors.ts");
    const s = setup();
    trainEpoch(s, []);
    const path = join(dir, "layout.safetensors");
    saveCheckpoint(path, { model: s.model, optimizer: s.optimizer, epoch: 1 });
    const { tensors, metadata } = loadWithMetadata(path);
    expect(Object.keys(tensors)).toEqual(expect.arrayContaining(["model.0.weight", "model.3.bias", "optimizer.state.0.expAvg", "optimizer.state.3.expAvgSq"]));
    expect(metadata.format).toBe("ndgrad.checkpoint/1");
    expect(JSON.parse(metadata.optimizer)).toMatchObject({ class: "Adam", state: { 0: { step: 13 } } });
  });
});

describe("a checkpoint made for something else", () => {
  const path = join(dir, "mlp.safetensors");
  const base = setup();
  trainEpoch(base, []);
  saveCheckpoint(path, { model: base.model, optimizer: base.optimizer, scheduler: base.scheduler, epoch: 1, rng: defaultGenerator });

  /** Everything the load could touch, as plain values. */
  function snapshot(model: nn.Module, optimizer: optim.Optimizer) {
    return JSON.stringify({ model: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(t.values())])), optimizer: optimizer.stateDict() });
  }

  it.each([
    ["a missing parameter", () => new nn.Sequential(new nn.Linear(20, 32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 4, { bias: false })), /no "3.bias"|has "3.bias" \[4\], which the model does not/],
    ["a shape that differs", () => new nn.Sequential(new nn.Linear(20, 32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 5)), /"3.weight" has shape \[4, 32\] in the checkpoint but \[5, 32\] in the model/],
    ["an extra layer", () => new nn.Sequential(new nn.Linear(20, 32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 4), new nn.Linear(4, 4)), /no "4.weight"/],
  ])("refuses a model with %s, naming it, and changes neither model nor optimizer", (_label, make, message) => {
    manualSeed(5);
    const model = make();
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.5 });
    optimizer.zeroGrad();
    model.forward(randn([2, 20])).sum().backward();
    optimizer.step();
    const before = snapshot(model, optimizer);
    expect(() => loadCheckpoint(path, { model, optimizer })).toThrow(message);
    expect(snapshot(model, optimizer)).toBe(before);
  });

  it("refuses another optimizer class, naming both, and leaves the model as it was (checked before anything is written)", () => {
    const s = setup();
    const sgd = new optim.SGD(s.model.parameters(), { lr: 0.1 });
    const before = snapshot(s.model, sgd);
    expect(() => loadCheckpoint(path, { model: s.model, optimizer: sgd })).toThrow(/holds Adam state, but the optimizer given is SGD/);
    expect(snapshot(s.model, sgd)).toBe(before);
  });

  it("refuses another scheduler class, and a part the file does not hold", () => {
    const s = setup();
    const cosine = new optim.lrScheduler.CosineAnnealingLR(s.optimizer, { tMax: 4 });
    expect(() => loadCheckpoint(path, { scheduler: cosine })).toThrow(/StepLR scheduler, but the scheduler given is a CosineAnnealingLR/);
    const weightsOnly = join(dir, "weights-only.safetensors");
    saveCheckpoint(weightsOnly, { model: s.model });
    expect(() => loadCheckpoint(weightsOnly, { model: s.model, optimizer: s.optimizer })).toThrow(/no optimizer state/);
    expect(() => loadCheckpoint(weightsOnly, { rng: new Generator() })).toThrow(/no RNG state/);
  });

  it("refuses a checkpoint whose dtype differs from the model's", () => {
    const s = setup();
    const wide = new nn.Sequential(new nn.Linear(20, 32, { dtype: "float64" }), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 4, { dtype: "float64" }));
    expect(() => loadCheckpoint(path, { model: wide })).toThrow(/"0.weight" is float32 in the checkpoint but float64 in the model/);
    expect(s).toBeDefined();
  });

  it("puts back what was restored when a later part's own checks refuse", async () => {
    const { loadWithMetadata } = await import("../src/io/safetensors.ts");
    // A hand-edited file with an invalid lr: the model loads first, then the optimizer's own loadStateDict refuses.
    const { tensors, metadata } = loadWithMetadata(path);
    const meta = JSON.parse(metadata.optimizer);
    meta.paramGroups[0].lr = -1;
    const edited = join(dir, "edited.safetensors");
    save(edited, tensors, { ...metadata, optimizer: JSON.stringify(meta) });
    const s = setup();
    const before = snapshot(s.model, s.optimizer);
    expect(() => loadCheckpoint(edited, { model: s.model, optimizer: s.optimizer })).toThrow(/Invalid learning rate: -1.*nothing was changed/);
    expect(snapshot(s.model, s.optimizer)).toBe(before);
  });

  it("rejects wrong arguments at the entry point", () => {
    const s = setup();
    expect(() => saveCheckpoint(path, { model: {} as nn.Module })).toThrow(/model must be an nn.Module, got Object/);
    expect(() => saveCheckpoint(path, { epoch: -1 })).toThrow(/epoch must be an integer >= 0, got -1/);
    expect(() => saveCheckpoint(path, { step: 1.5 })).toThrow(/step must be an integer >= 0, got 1.5/);
    expect(() => saveCheckpoint(path, { extra: { w: new Float32Array(2) } as never })).toThrow(/extra.w is a Float32Array.*Array.from/);
    expect(() => saveCheckpoint(path, { modle: s.model } as never)).toThrow(/unknown entry "modle"/);
    expect(() => loadCheckpoint(path, { epoch: 1 } as never)).toThrow(/unknown target "epoch"/);
    expect(() => loadCheckpoint("")).toThrow(/path must be a non-empty string/);
    // The failed saves above did not touch the file.
    expect(loadCheckpoint(path).epoch).toBe(1);
  });
});

describe("a damaged file", () => {
  const good = join(dir, "good.safetensors");
  const s = setup();
  saveCheckpoint(good, { model: s.model, optimizer: s.optimizer, epoch: 0 });
  const bytes = readFileSync(good);

  it.each([
    ["zero-length", new Uint8Array(0), /the file is empty/],
    ["truncated to 5 bytes", bytes.subarray(0, 5), /truncated/],
    ["truncated inside the header", bytes.subarray(0, 40), /truncated/],
    ["truncated inside the data", bytes.subarray(0, bytes.length - 100), /truncated|data section/],
    ["random bytes", Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24), /header length|not valid JSON|truncated/],
    ["a corrupt JSON header", (() => { const b = Uint8Array.from(bytes); b[8] = 0x5b; return b; })(), /not valid JSON|not a JSON object/],
  ])("%s: a clear error naming the file", (_label, content, message) => {
    const path = join(dir, "damaged.safetensors");
    writeFileSync(path, content);
    const model = setup().model;
    const before = JSON.stringify(Object.values(model.stateDict()).map((t) => Array.from(t.values())));
    expect(() => loadCheckpoint(path, { model })).toThrow(message);
    expect(() => loadCheckpoint(path, { model })).toThrow(/^loadCheckpoint ".*damaged.safetensors": /);
    expect(JSON.stringify(Object.values(model.stateDict()).map((t) => Array.from(t.values())))).toBe(before);
  });

  it("a missing file, and a plain safetensors file that is not a checkpoint", () => {
    expect(() => loadCheckpoint(join(dir, "nope.safetensors"))).toThrow(/ENOENT/);
    const plain = join(dir, "plain.safetensors");
    save(plain, s.model.stateDict());
    expect(() => loadCheckpoint(plain, { model: s.model })).toThrow(/not an ndgrad checkpoint .*load\(\)/);
  });

  it("removes temporary files left by a process killed mid-save, and only those", () => {
    const sub = mkdtempSync(join(dir, "stale-"));
    const path = join(sub, "c.safetensors");
    const dead = join(sub, ".c.safetensors.tmp-999999999-abcdef");
    const alive = join(sub, `.c.safetensors.tmp-${process.ppid}-abcdef`);
    writeFileSync(dead, "partial");
    writeFileSync(alive, "someone else's save in progress");
    saveCheckpoint(path, { epoch: 3 });
    expect(readdirSync(sub).sort()).toEqual([".c.safetensors.tmp-" + process.ppid + "-abcdef", "c.safetensors"]);
    expect(loadCheckpoint(path).epoch).toBe(3);
  });
});

export type { Tensor };
