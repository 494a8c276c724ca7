// Test accuracy of a classifier: the share of samples whose largest logit is the label's.

import { noGrad, type DataLoader, type nn } from "../../src/index.ts";

/** Evaluates `model` on every batch of `loader` in eval mode (no dropout, no graph), then puts it back in training mode. */
export function accuracy(model: nn.Module, loader: DataLoader): number {
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const { x, y } of loader) {
      const predicted = model.forward(x).argmax(1).values();
      for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
    }
  });
  model.train();
  return correct / loader.dataset.length;
}
