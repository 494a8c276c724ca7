// Your own optimizer in one file: Signum (the sign of the momentum), registered as "signum", then raced against Adam.
//
//   npx tsx examples/custom-optimizer.ts        # a one-epoch race on the 10,000-digit MNIST subset
//   node --import tsx --import ./examples/custom-optimizer.ts examples/mnist.ts --optimizers adam,signum
//                                                # the full race: importing this file registers "signum"
//
// A subclass of optim.Optimizer gives its defaults, checks its options, says what state each
// parameter keeps (stateSpec, which stateDict/loadStateDict follow) and updates θ element by element.

import { pathToFileURL } from "node:url";
import { DataLoader, manualSeed, nn, noGrad, optim, tensor, type FloatArray, type Tensor } from "../src/index.ts";
import { loadMnist } from "../datasets/index.ts";

interface SignumOptions { lr: number; beta: number; weightDecay: number; maximize: boolean }
interface SignumState { momentumBuffer: FloatArray }

/**
 * Signum (Bernstein et al., 2018, "signSGD: Compressed Optimisation for Non-Convex Problems", Algorithm 3):
 *
 *   g ← ∇θ f(θ) + λ·θ          (−∇ if maximize)
 *   m ← β·m + (1 − β)·g
 *   θ ← θ − η·sign(m)
 */
export class Signum extends optim.Optimizer<SignumOptions, SignumState> {
  protected readonly stateSpec = { momentumBuffer: "buffer" } as const;

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: SignumState, group: optim.ParamGroup<SignumOptions>): void {
    const { lr: η, beta: β, weightDecay: λ, maximize } = group, m = s.momentumBuffer;
    for (let i = 0; i < n; i++) {
      const gi = optim.gradient(g[i], θ[offset + i], λ, maximize);
      m[i] = β * m[i] + (1 - β) * gi;
      θ[offset + i] -= η * Math.sign(m[i]);
    }
  }

  constructor(params: optim.ParamsInput<SignumOptions>, options: Partial<SignumOptions> = {}) {
    super(params, options, { lr: 1e-3, beta: 0.9, weightDecay: 0, maximize: false });
  }

  protected validate(o: SignumOptions): void {
    if (!(o.beta >= 0 && o.beta < 1)) throw new RangeError(`Invalid beta value: ${o.beta} (must be in [0, 1))`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`Invalid weightDecay value: ${o.weightDecay} (must be >= 0)`);
  }

  protected initState(p: Tensor): SignumState {
    return { momentumBuffer: optim.stateBuffer(p) };
  }
}

optim.register("signum", Signum);

/** The same 784-64-10 MLP, from the same weights and batches, trained one epoch by each optimizer. */
function race(names: string[]): void {
  const { train, test } = loadMnist({ source: "mnist-subset" });
  for (const name of names) {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const opt = optim.create(name, model.parameters());
    for (const { x, y } of new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 })) {
      opt.zeroGrad();
      nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
    const predicted = noGrad(() => model.forward(tensor(test.features, { shape: [test.length, 784] })).argmax(1)).values();
    const correct = Array.from(predicted).filter((c, i) => c === test.labels[i]).length;
    console.log(`${name.padEnd(8)} test accuracy after one epoch: ${((100 * correct) / test.length).toFixed(2)}%`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) race(["adam", "signum"]);
