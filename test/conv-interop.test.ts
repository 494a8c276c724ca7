// A LeNet-5 saved by ndgrad has exactly the state-dict keys and shapes of the same PyTorch model (scripts/load-in-pytorch.py loads it there).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { manualSeed, noGrad, randn } from "../src/index.ts";
import { load, save } from "../src/io/index.ts";
import { lenet5 } from "../examples/mnist/models.ts";

const dir = mkdtempSync(join(tmpdir(), "ndgrad-lenet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// [(k, list(v.shape)) for k, v in model.state_dict().items()] of scripts/load-in-pytorch.py's lenet5 in PyTorch 1.13.
const PYTORCH_KEYS = {
  plain: [["1.weight", [6, 1, 5, 5]], ["1.bias", [6]], ["4.weight", [16, 6, 5, 5]], ["4.bias", [16]], ["8.weight", [120, 400]], ["8.bias", [120]], ["10.weight", [84, 120]], ["10.bias", [84]], ["12.weight", [10, 84]], ["12.bias", [10]]],
  batchnorm: [["1.weight", [6, 1, 5, 5]], ["1.bias", [6]], ["2.weight", [6]], ["2.bias", [6]], ["2.running_mean", [6]], ["2.running_var", [6]], ["2.num_batches_tracked", []], ["5.weight", [16, 6, 5, 5]], ["5.bias", [16]], ["6.weight", [16]], ["6.bias", [16]], ["6.running_mean", [16]], ["6.running_var", [16]], ["6.num_batches_tracked", []], ["10.weight", [120, 400]], ["10.bias", [120]], ["11.weight", [120]], ["11.bias", [120]], ["11.running_mean", [120]], ["11.running_var", [120]], ["11.num_batches_tracked", []], ["13.weight", [84, 120]], ["13.bias", [84]], ["14.weight", [84]], ["14.bias", [84]], ["14.running_mean", [84]], ["14.running_var", [84]], ["14.num_batches_tracked", []], ["16.weight", [10, 84]], ["16.bias", [10]]],
};

describe.each([["plain", false], ["batchnorm", true]] as const)("LeNet-5 %s", (kind, batchnorm) => {
  it("saves PyTorch's keys and shapes, in its order, and loads back to the same outputs", () => {
    manualSeed(1);
    const model = lenet5({ batchnorm });
    model.forward(randn([4, 784]));
    const path = join(dir, `${kind}.safetensors`);
    save(path, model.stateDict());
    const saved = load(path);
    expect(Object.entries(saved).map(([k, t]) => [k, t.shape])).toEqual(PYTORCH_KEYS[kind]);

    manualSeed(2);
    const other = lenet5({ batchnorm });
    other.loadStateDict(saved);
    model.eval();
    other.eval();
    const x = randn([3, 784]);
    expect([...noGrad(() => other.forward(x)).values()]).toEqual([...noGrad(() => model.forward(x)).values()]);
  });
});
