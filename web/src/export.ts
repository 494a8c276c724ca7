// The race's paths as JSON (everything: points, gradients, the optimizers' state per step) and CSV (one row per point).

import type { Race } from "./race.ts";
import type { PageState } from "./url-state.ts";

export function pathsJson(race: Race, step: number, state: PageState): string {
  return JSON.stringify({
    surface: race.surface.name,
    formula: race.surface.formula,
    start: race.start,
    noise: state.noise,
    seed: state.seed,
    steps: step,
    racers: race.racers.map((r) => ({
      optimizer: r.name,
      options: r.setup.options,
      divergedAt: r.divergedAt,
      points: r.points.slice(0, step + 1),
      updates: r.steps.slice(0, step),
    })),
  }, null, 1);
}

export function pathsCsv(race: Race, step: number): string {
  const lines = ["optimizer,t,x,y,f,gx,gy"];
  for (const r of race.racers) {
    r.points.slice(0, step + 1).forEach((p, t) => {
      const g = t < r.steps.length ? r.steps[t].g : ["", ""];
      lines.push([r.name, t, p.x, p.y, p.f, g[0], g[1]].join(","));
    });
  }
  return `${lines.join("\n")}\n`;
}

export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
