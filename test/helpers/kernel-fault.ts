// Preloaded into examples/mnist.ts by the crash test: registers "faulty", an Adam whose 5th step fails inside the kernels (a bad thread count).

import { optim, setNumThreads } from "../../src/index.ts";

class Faulty extends optim.Adam {
  private steps = 0;
  override step<L extends optim.Loss>(closure?: () => L): L | undefined {
    if (++this.steps === 5) setNumThreads(0);
    return super.step(closure);
  }
}
optim.register("faulty", Faulty as unknown as Parameters<typeof optim.register>[1]);
