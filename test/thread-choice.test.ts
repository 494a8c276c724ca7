// ThreadChoice: each product shape runs on the thread count its trial calls measured faster.

import { describe, expect, it } from "vitest";
import { ThreadChoice } from "../src/kernels/thread-choice.ts";

/** Runs `calls` calls of `key` on `threads` threads through `choice`, each lasting what `cost` says; returns the counts used. */
function run(choice: ThreadChoice, key: string, threads: number, calls: number, cost: (threads: number, call: number) => number): number[] {
  const used: number[] = [];
  for (let call = 0; call < calls; call++) {
    const { threads: nt, done } = choice.choose(key, threads);
    used.push(nt);
    done?.(cost(nt, call));
  }
  return used;
}

describe("ThreadChoice", () => {
  it("alternates during the trial, then keeps the faster count for that shape only", () => {
    const choice = new ThreadChoice(3);
    const big = run(choice, "big", 2, 10, (nt) => (nt === 2 ? 0.6 : 1));
    const small = run(choice, "small", 2, 10, (nt) => (nt === 2 ? 0.05 : 0.02));
    expect(big).toEqual([1, 2, 1, 2, 1, 2, 2, 2, 2, 2]);
    expect(small).toEqual([1, 2, 1, 2, 1, 2, 1, 1, 1, 1]);
    expect(choice.choices()).toEqual(new Map([["big/2", 2], ["small/2", 1]]));
  });

  it("judges by the fastest call, so one interrupted call does not decide", () => {
    const choice = new ThreadChoice(4);
    // Two threads are faster, but their first call was interrupted for 50 ms.
    run(choice, "shape", 2, 8, (nt, call) => (nt === 2 ? (call === 1 ? 50 : 0.5) : 1));
    expect(choice.choices().get("shape/2")).toBe(2);
  });

  it("chooses again for another thread count, and forgets on reset", () => {
    const choice = new ThreadChoice(2);
    run(choice, "shape", 2, 4, (nt) => (nt === 2 ? 1 : 2));
    expect(run(choice, "shape", 4, 5, (nt) => (nt === 4 ? 3 : 2))).toEqual([1, 4, 1, 4, 1]);
    expect(choice.choices()).toEqual(new Map([["shape/2", 2], ["shape/4", 1]]));
    choice.reset();
    expect(choice.choices().size).toBe(0);
    expect(run(choice, "shape", 2, 2, () => 1)).toEqual([1, 2]);
  });

  it("runs everything on the calling thread when there is only one", () => {
    const choice = new ThreadChoice();
    expect(run(choice, "shape", 1, 3, () => 1)).toEqual([1, 1, 1]);
    expect(choice.choices().size).toBe(0);
  });
});
