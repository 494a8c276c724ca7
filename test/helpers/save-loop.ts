// A child process for the kill-during-save tests: saves checkpoints to argv[2] in an endless loop, alternating two contents.
// With argv[3] "weights" it saves the model's weights alone with io's save() instead.
//
// Content k (1 or 2) has every weight, every optimizer buffer and `extra.which` equal to k, so a
// reader can tell a whole checkpoint from a torn one. "ready" is printed once the first save is done.

import { nn, optim } from "../../src/index.ts";
import { save, saveCheckpoint } from "../../src/io/index.ts";

const path = process.argv[2];
const contents = [1, 2].map((k) => {
  const model = new nn.Sequential(new nn.Linear(256, 256), new nn.Linear(256, 64));
  for (const p of model.parameters()) p.values().fill(k);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.001 * k });
  for (const p of model.parameters()) optimizer.state.set(p, { step: k, expAvg: new Float32Array(p.size).fill(k), expAvgSq: new Float32Array(p.size).fill(k), maxExpAvgSq: null });
  return { model, optimizer, epoch: k, step: 1000 * k, extra: { which: k } };
});

const write = process.argv[3] === "weights" ? (c: (typeof contents)[number]) => save(path, c.model.stateDict()) : (c: (typeof contents)[number]) => saveCheckpoint(path, c);
write(contents[0]);
process.stdout.write("ready\n");
for (let i = 1; ; i++) write(contents[i % 2]);
