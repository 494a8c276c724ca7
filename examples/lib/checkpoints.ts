// Resumable training for a script: a checkpoint per run after each epoch, and resume from it only with the same settings.

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { defaultGenerator, type DataLoader, type nn, type optim } from "../../src/index.ts";
import { loadCheckpoint, saveCheckpoint, type JsonValue } from "../../src/io/index.ts";
import { tryWrite } from "./failures.ts";

export interface Resumed<T> {
  epoch: number;
  step: number;
  /** What the script saved beside the weights (its counters, its logged series). */
  extra: T;
}

/**
 * DIR/<name>.safetensors holds a run's weights, optimizer state, RNG and finished epoch, the
 * `settings` that decide its trajectory (resuming with others would not continue the same run), and
 * the script's own `extra`. A save that fails (a full disk) prints one line and stops the saving;
 * training goes on.
 */
export class Checkpoints {
  private saveDir: string | null;

  /** `saveDir`: where to save (null: nowhere); `resumeDir`: where to resume from (null: start afresh). */
  constructor(saveDir: string | null, readonly resumeDir: string | null) {
    this.saveDir = saveDir;
  }

  /** Restores `name`'s model, optimizer, RNG and loader epoch from resumeDir; null when there is nothing to resume. */
  resume<T>(name: string, settings: object, target: { model: nn.Module; optimizer: optim.Optimizer; loader: DataLoader }): Resumed<T> | null {
    if (this.resumeDir === null) return null;
    const path = join(this.resumeDir, `${name}.safetensors`);
    if (!existsSync(path)) return null;
    const saved = loadCheckpoint(path, { model: target.model, optimizer: target.optimizer, rng: defaultGenerator });
    const { settings: then, extra } = saved.extra as { settings: Record<string, JsonValue>; extra: T };
    const now = JSON.parse(JSON.stringify(settings)) as Record<string, JsonValue>;
    const changed = Object.keys(now).filter((k) => JSON.stringify(then[k]) !== JSON.stringify(now[k]));
    if (changed.length > 0) {
      const list = (s: Record<string, JsonValue>) => changed.map((k) => `${k} ${JSON.stringify(s[k])}`).join(", ");
      throw new Error(`${path} was saved with ${list(then)}, this run has ${list(now)}: resuming would not continue the same run`);
    }
    target.loader.setEpoch(saved.epoch!);
    return { epoch: saved.epoch!, step: saved.step!, extra };
  }

  /** Saves `name` after `epoch`. */
  save(name: string, settings: object, state: { model: nn.Module; optimizer: optim.Optimizer; epoch: number; step: number; extra: object }): void {
    if (this.saveDir === null) return;
    const dir = this.saveDir;
    const path = join(dir, `${name}.safetensors`);
    const { extra, ...rest } = state;
    const saved = tryWrite(`the checkpoint of ${name}`, path, "--checkpoint", () => {
      mkdirSync(dir, { recursive: true });
      saveCheckpoint(path, { ...rest, rng: defaultGenerator, extra: { settings, extra } as unknown as JsonValue });
    });
    if (!saved) {
      this.saveDir = null;
      process.stderr.write("(no more checkpoints are saved in this run; training goes on)\n");
    }
  }
}
