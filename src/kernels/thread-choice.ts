// Threads per product shape, chosen by timing: the first calls of each shape alternate between one
// thread and all of them, then the faster count runs that shape from then on.

/**
 * Whether a product is worth sharing depends on its shape, the library's kernels, the machine and
 * what runs between products (a step's MLP on AVX-512 OpenBLAS trained slower on 2 threads than on
 * 1, on AVX2 faster), so it is measured in place rather than guessed: each shape's first
 * `2 · trials` calls take turns between the two counts, and the one with the lower fastest call
 * wins. The fastest call, not the mean: a call the OS interrupted says nothing about the count it ran on.
 */
export class ThreadChoice {
  private readonly byShape = new Map<string, Trial>();

  constructor(private readonly trials = 4) {}

  /**
   * The thread count to run the product `key` on with `threads` available, and, while it is still
   * on trial, a function to call with the call's duration in ms; null once the choice is made.
   */
  choose(key: string, threads: number): { threads: number; done: ((ms: number) => void) | null } {
    if (threads <= 1) return { threads: 1, done: null };
    const fullKey = `${key}/${threads}`;
    let trial = this.byShape.get(fullKey);
    if (trial === undefined) this.byShape.set(fullKey, (trial = { calls: 0, best: [Infinity, Infinity], chosen: 0 }));
    if (trial.chosen > 0) return { threads: trial.chosen, done: null };
    const side = trial.calls++ % 2; // 0: one thread, 1: all of them
    const t = trial;
    return {
      threads: side === 0 ? 1 : threads,
      done: (ms) => {
        t.best[side] = Math.min(t.best[side], ms);
        if (t.calls >= 2 * this.trials) t.chosen = t.best[1] < t.best[0] ? threads : 1;
      },
    };
  }

  /** The choices made so far, shape by shape (for benchmarks and tests). */
  choices(): Map<string, number> {
    return new Map([...this.byShape].filter(([, t]) => t.chosen > 0).map(([key, t]) => [key, t.chosen]));
  }

  /** Forgets every choice (the machine or the library changed). */
  reset(): void {
    this.byShape.clear();
  }
}

interface Trial {
  calls: number;
  /** The fastest call so far on [one thread, all threads], ms. */
  best: [number, number];
  /** The count chosen, or 0 while on trial. */
  chosen: number;
}
