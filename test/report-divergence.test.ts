// The divergence rule: a non-finite loss, or a loss above factor × the first one for `patience` steps in a row.

import { describe, expect, it } from "vitest";
import { DEFAULT_DIVERGENCE_RULE, DivergenceCheck } from "../src/report/index.ts";

/** Feeds losses for steps 1, 2, ...; the step the check reports, or null. */
function run(losses: number[], check = new DivergenceCheck({ factor: 10, patience: 3 })): number | null {
  for (const [i, loss] of losses.entries()) {
    const at = check.observe(i + 1, loss);
    if (at !== null) return at;
  }
  return null;
}

describe("DivergenceCheck", () => {
  it("defaults to 10× the first loss for 20 steps", () => {
    expect(DEFAULT_DIVERGENCE_RULE).toEqual({ factor: 10, patience: 20 });
    expect(new DivergenceCheck().describe()).toBe("diverged: a non-finite loss, or a loss above 10× the first one for 20 steps in a row");
  });

  it.each([
    ["a loss that falls", [2.3, 1.5, 0.9, 0.4, 0.3], null],
    ["spikes shorter than the patience", [2.3, 30, 40, 1, 50, 60, 2, 24, 24], null],
    ["exactly at the bar (not above)", [2, 20, 20, 20, 20], null],
    ["a stretch of 3 above 10×, reported at its first step", [2.3, 1.0, 24, 100, 1e4, 1e5], 3],
    ["a stretch broken once, then sustained", [2.3, 30, 30, 1, 30, 30, 30], 5],
    ["NaN, at once", [2.3, 1.2, NaN], 3],
    ["Infinity, at once", [2.3, Infinity], 2],
    ["a non-finite first loss", [NaN], 1],
  ])("%s", (_, losses, expected) => {
    expect(run(losses)).toBe(expected);
  });

  it("continues across a resume from its saved state", () => {
    const first = new DivergenceCheck({ factor: 10, patience: 3 });
    expect(run([2, 30, 30], first)).toBeNull();
    const resumed = new DivergenceCheck({ factor: 10, patience: 3 }, JSON.parse(JSON.stringify(first)));
    expect(resumed.observe(4, 30)).toBe(2);
  });

  it.each([
    [{ factor: 1 }, "DivergenceCheck: invalid factor 1 (must be a finite number > 1)"],
    [{ factor: "10" as unknown as number }, 'DivergenceCheck: invalid factor "10" (a string) (must be a finite number > 1)'],
    [{ patience: 0 }, "DivergenceCheck: invalid patience 0 (must be an integer >= 1)"],
    [{ patience: 2.5 }, "DivergenceCheck: invalid patience 2.5 (must be an integer >= 1)"],
  ])("refuses %j", (rule, message) => {
    expect(() => new DivergenceCheck(rule)).toThrow(message);
  });
});
