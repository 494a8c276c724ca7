// When a training run counts as diverged: one rule, stated in words, applied by every race.

import { checkOptions, given } from "./check.ts";

/** The rule's two numbers: how far above its first loss, and for how many steps in a row. */
export interface DivergenceRule {
  /** The loss must exceed factor × the first step's loss ... (default 10) */
  factor: number;
  /** ... for this many consecutive steps (default 20). */
  patience: number;
}

export const DEFAULT_DIVERGENCE_RULE: Readonly<DivergenceRule> = Object.freeze({ factor: 10, patience: 20 });

/** What a check must remember across a resume. */
export interface DivergenceState {
  firstLoss: number | null;
  /** The first step of the current stretch above the bar, or null. */
  aboveSince: number | null;
}

/**
 * A run has diverged when its loss is not finite, or when it stays above `factor` times its first
 * loss for `patience` steps in a row. Noisy training dips back under the bar; a run that blew up
 * does not (Adam at lr 100 on MNIST: cross-entropy from 2.3 to thousands). The loss must be one
 * whose optimum is 0 or more, as cross-entropy, or f − f* on a test function.
 */
export class DivergenceCheck {
  readonly rule: Readonly<DivergenceRule>;
  private state: DivergenceState;

  constructor(rule: Partial<DivergenceRule> = {}, state: DivergenceState = { firstLoss: null, aboveSince: null }) {
    const { factor, patience } = { ...DEFAULT_DIVERGENCE_RULE, ...checkOptions("DivergenceCheck", rule, DEFAULT_DIVERGENCE_RULE) };
    if (typeof factor !== "number" || !(factor > 1) || !Number.isFinite(factor)) throw new RangeError(`DivergenceCheck: invalid factor ${given(factor)} (must be a finite number > 1)`);
    if (typeof patience !== "number" || !Number.isInteger(patience) || patience < 1) throw new RangeError(`DivergenceCheck: invalid patience ${given(patience)} (must be an integer >= 1)`);
    this.rule = Object.freeze({ factor, patience });
    this.state = { ...state };
  }

  /** Takes the loss after step `step`; returns the step at which the run diverged once the rule holds (the start of the stretch), else null. */
  observe(step: number, loss: number): number | null {
    if (!Number.isFinite(loss)) return step;
    if (this.state.firstLoss === null) this.state.firstLoss = loss;
    if (loss > this.rule.factor * this.state.firstLoss) {
      this.state.aboveSince ??= step;
      if (step - this.state.aboveSince + 1 >= this.rule.patience) return this.state.aboveSince;
    } else {
      this.state.aboveSince = null;
    }
    return null;
  }

  /** The state to save in a checkpoint and pass back to the constructor on resume. */
  toJSON(): DivergenceState {
    return { ...this.state };
  }

  /** The rule in words, for a table's title or a help text. */
  describe(): string {
    return `diverged: a non-finite loss, or a loss above ${this.rule.factor}× the first one for ${this.rule.patience} steps in a row`;
  }
}
