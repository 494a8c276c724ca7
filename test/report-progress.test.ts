// Tests of the training progress display of src/report, on fake terminal and non-terminal streams.

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { stripAnsi } from "../src/report/format.ts";
import { TrainingProgress } from "../src/report/progress.ts";

/** Collects what is written; `isTTY` and `columns` as a terminal (or a pipe) reports them. */
class FakeStream extends Writable {
  text = "";
  constructor(
    public isTTY: boolean,
    public columns = 120,
  ) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** What a terminal shows at the end: each line as last redrawn (from its last carriage return), without codes. */
function screen(text: string): string[] {
  return text
    .split("\n")
    .map((line) => stripAnsi(line.split(/\r|\x1b\[1G/).at(-1)!))
    .filter((line) => line.trim() !== "");
}

/** Two epochs of 3 steps each; the test accuracy comes with the last update of an epoch. */
function train(progress: TrainingProgress, name: string, divergeAt?: number): void {
  const bar = progress.bar(name, 6);
  let step = 0;
  for (let epoch = 1; epoch <= 2; epoch++) {
    for (let i = 0; i < 3; i++) {
      step++;
      if (step === divergeAt) return bar.fail(`diverged at step ${step}`);
      bar.update(step, { epoch, loss: 1 / step, samplesPerSec: 1000 * step });
    }
    bar.update(step, { epoch, accuracy: 0.5 + epoch / 10 });
  }
  bar.finish("test acc 70.00%");
}

describe("TrainingProgress on a stream that is not a terminal", () => {
  it("writes one plain line per epoch and one at the end, without escape codes", () => {
    const stream = new FakeStream(false);
    const progress = new TrainingProgress({ stream, epochs: 2 });
    train(progress, "adam");
    train(progress, "nag", 5);
    progress.stop();
    expect(stream.text).not.toContain("\x1b");
    const lines = stream.text.trimEnd().split("\n");
    expect(lines.map((l) => l.replace(/\s+[\d.]+ s$/, ""))).toEqual([
      "adam: 6 steps",
      "adam  epoch 1/2  step 3/6  loss 0.3333  acc 60.00%  3,000 samples/s",
      "adam  epoch 2/2  step 6/6  loss 0.1667  acc 70.00%  6,000 samples/s",
      expect.stringMatching(/^adam: done in [\d.]+ s: test acc 70\.00%$/),
      "nag: 6 steps",
      "nag  epoch 1/2  step 3/6  loss 0.3333  acc 60.00%  3,000 samples/s",
      "nag  epoch 2/2  step 4/6  loss 0.25  acc 60.00%  4,000 samples/s",
      "nag: ✗ diverged at step 5",
    ]);
  });

  it("prints log messages as lines", () => {
    const stream = new FakeStream(false);
    const progress = new TrainingProgress({ stream });
    progress.log("loading MNIST");
    expect(stream.text).toBe("loading MNIST\n");
  });
});

describe("TrainingProgress on a terminal", () => {
  it("redraws a bar per run and leaves each finished one with its outcome", () => {
    const stream = new FakeStream(true, 160);
    const progress = new TrainingProgress({ stream, epochs: 2, color: false });
    train(progress, "adam");
    train(progress, "nag", 5);
    progress.stop();
    expect(stream.text).toContain("\x1b["); // redrawn in place
    const finalLines = screen(stream.text);
    expect(finalLines).toHaveLength(2);
    expect(finalLines[0]).toMatch(/^adam\s+█+ 100% │ 6\/6 │ epoch 2\/2 │ loss 0\.1667 │ acc 70\.00% │ 6,000 samples\/s │ ✓ .* test acc 70\.00%$/);
    expect(finalLines[1]).toMatch(/^nag\s+█+░+\s+66% │ 4\/6 │ .*✗ diverged at step 5$/);
  });

  it("fits a narrow terminal by dropping details, keeping the outcome", () => {
    const stream = new FakeStream(true, 50);
    const progress = new TrainingProgress({ stream, color: false });
    train(progress, "adadelta", 2);
    const last = screen(stream.text).at(-1)!;
    expect(last.length).toBeLessThan(50);
    expect(last).toContain("✗ diverged at step 2");
  });
});

describe("TrainingProgress when quiet", () => {
  it("writes nothing at all", () => {
    for (const isTTY of [true, false]) {
      const stream = new FakeStream(isTTY);
      const progress = new TrainingProgress({ stream, quiet: true });
      progress.log("hello");
      train(progress, "adam");
      train(progress, "nag", 2);
      progress.stop();
      expect(stream.text).toBe("");
    }
  });
});

describe("TrainingProgress.log on a terminal", () => {
  it("prints the message above the live bar and redraws the bar below it", () => {
    const stream = new FakeStream(true, 160);
    const progress = new TrainingProgress({ stream, color: false });
    const bar = progress.bar("adam", 4);
    bar.update(1, { epoch: 1, loss: 0.5 });
    progress.log("checkpoint saved");
    bar.finish();
    expect(screen(stream.text)).toEqual([
      "checkpoint saved",
      expect.stringMatching(/^adam\s+█+ 100% │ 4\/4 │ epoch 1 │ loss 0\.5 │ ✓ [\d.]+ s$/),
    ]);
  });
});
