// The MNIST race in a Web Worker: ndgrad on its wasm kernels (worker threads when the page is isolated), one step per task so pause is handled at once.

import { DataLoader, TensorDataset, backendInfo, data, getBackend, getNumThreads, loadWasmKernels, manualSeed, nn, noGrad, optim, setNumThreads, type Tensor } from "../../src/browser.ts";
import { ACCURACY_EVERY, PIXELS, QUICK_TEST_SIZE, type BackendLine, type FromWorker, type RacerSpec, type ToWorker } from "./mnist-protocol.ts";

const post = (message: FromWorker) => self.postMessage(message);

let paused = false;
let resume: (() => void) | null = null;

/** Lets queued messages (pause) run between two steps; a MessageChannel task is not clamped like setTimeout. */
const channel = new MessageChannel();
const yieldToMessages = () => new Promise<void>((r) => {
  channel.port1.onmessage = () => r();
  channel.port2.postMessage(null);
});

async function fetchBytes(name: string): Promise<Uint8Array> {
  const url = new URL(`../data/${name}`, new URL(self.location.href));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`MNIST: fetching ${url} failed: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A digit set from the site's raw files: images byte/255 in rows of 784, labels as class indices. */
async function loadSplit(split: "train" | "test"): Promise<TensorDataset> {
  const [images, labels] = await Promise.all([fetchBytes(`mnist-${split}-images.u8`), fetchBytes(`mnist-${split}-labels.u8`)]);
  if (images.length !== labels.length * PIXELS) throw new Error(`MNIST ${split}: ${images.length} image bytes for ${labels.length} labels (expected ${PIXELS} per digit)`);
  const features = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) features[i] = images[i] / 255;
  return new TensorDataset(features, Int32Array.from(labels), [PIXELS]);
}

function accuracy(model: nn.Module, set: TensorDataset, limit: number): number {
  const loader = new DataLoader(set, { batchSize: 1000 });
  let correct = 0;
  let seen = 0;
  model.eval();
  noGrad(() => {
    for (const { x, y } of loader) {
      if (seen >= limit) break;
      const predicted = model.forward(x).argmax(1).values();
      for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
      seen += y.length;
    }
  });
  model.train();
  return correct / seen;
}

/** Test accuracy on the weights the optimizer evaluates (schedule-free AdamW's averaged ones; the same weights for the others). */
function evaluate(r: { model: nn.Module; optimizer: optim.Optimizer }, set: TensorDataset, limit: number): number {
  r.optimizer.eval();
  const a = accuracy(r.model, set, limit);
  r.optimizer.train();
  return a;
}

const backendLine = (): BackendLine => ({ backend: getBackend(), threads: getNumThreads(), isolated: globalThis.crossOriginIsolated === true });

async function race(message: Extract<ToWorker, { type: "start" }>, train: TensorDataset, test: TensorDataset): Promise<void> {
  if (message.threads !== null) setNumThreads(message.threads);
  const build = () => new nn.Sequential(new nn.Linear(PIXELS, message.hidden), new nn.ReLU(), new nn.Linear(message.hidden, 10));
  manualSeed(message.seed);
  const initial = build().stateDict();
  // One model, optimizer and loader per racer: the same initial weights and the same batch order for all.
  const racers = message.racers.map((spec: RacerSpec) => {
    const model = build();
    model.loadStateDict(initial);
    const optimizer = optim.create(spec.name, model.parameters(), spec.options);
    const loader = new DataLoader(train, { batchSize: message.batch, shuffle: true, seed: message.seed });
    return { spec, model, optimizer, loader, batches: loader[Symbol.iterator](), firstLoss: NaN, loss: NaN, seconds: 0, diverged: false };
  });
  for (let step = 1; step <= message.steps; step++) {
    for (const r of racers) {
      if (r.diverged) continue;
      const started = performance.now();
      let next = r.batches.next();
      if (next.done) {
        r.batches = r.loader[Symbol.iterator]();
        next = r.batches.next();
      }
      const { x, y } = next.value as { x: Tensor; y: Int32Array };
      // PyTorch's closure form, so that L-BFGS (which evaluates the loss several times a step) runs too.
      const loss = r.optimizer.step(() => {
        r.optimizer.zeroGrad();
        const l = nn.functional.crossEntropy(r.model.forward(x), y);
        l.backward();
        return l;
      })!;
      r.loss = loss.item();
      if (step === 1) r.firstLoss = r.loss;
      r.seconds += (performance.now() - started) / 1000;
      r.diverged = !Number.isFinite(r.loss);
      post({ type: "loss", name: r.spec.name, step, loss: r.loss });
      if (step % ACCURACY_EVERY === 0) post({ type: "accuracy", name: r.spec.name, step, accuracy: evaluate(r, test, QUICK_TEST_SIZE) });
      await yieldToMessages();
      if (paused) {
        post({ type: "paused", step });
        await new Promise<void>((r) => (resume = r));
        post({ type: "resumed" });
      }
    }
  }
  for (const r of racers) {
    post({
      type: "result", name: r.spec.name, lr: r.optimizer.paramGroups[0].lr, steps: message.steps, firstLoss: r.firstLoss, loss: r.loss,
      accuracy: r.diverged ? NaN : evaluate(r, test, test.length), seconds: r.seconds, samplesPerSec: (message.steps * message.batch) / Math.max(r.seconds, 1e-9),
    });
  }
  post({ type: "done", backend: backendLine(), backendInfo: { ...backendInfo() } });
}

async function start(): Promise<void> {
  await loadWasmKernels();
  const [train, test] = await Promise.all([loadSplit("train"), loadSplit("test")]);
  const { mean, std } = data.featureMeanStd(train);
  data.standardize(train, mean, std);
  data.standardize(test, mean, std);
  post({ type: "ready", backend: backendLine(), trainSize: train.length, testSize: test.length });
  let running = false;
  self.addEventListener("message", (event: MessageEvent<ToWorker>) => {
    const m = event.data;
    if (m.type === "pause") paused = true;
    else if (m.type === "resume") {
      paused = false;
      resume?.();
      resume = null;
    } else if (m.type === "start" && !running) {
      running = true;
      race(m, train, test).catch(fail).finally(() => (running = false));
    }
  });
}

function fail(e: unknown): void {
  post({ type: "error", message: e instanceof Error ? e.message : String(e) });
}

start().catch(fail);
