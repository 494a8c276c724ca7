// "Inside the update": the inspected optimizer's rule in its paper's symbols, with each term's value at the step on view, read from ndgrad's state.

import { $, formatNumber } from "./dom.ts";
import { drawLineChart } from "./line-chart.ts";
import { colorOf } from "./optimizer-options.ts";
import type { Race, Racer, StepRecord } from "./race.ts";
import { epsilonPlacements, lookAhead, ruleOf } from "./rules.ts";

type Pair = [number, number] | null;

export class Inspector {
  current: string | null = null;

  constructor(private readonly race: () => Race, private readonly step: () => number, private readonly onChange: () => void) {
    const select = $("#inspect") as HTMLSelectElement;
    select.addEventListener("change", () => {
      this.current = select.value;
      this.onChange();
    });
    const eps = $("#show-epsilon") as HTMLInputElement;
    eps.addEventListener("change", () => this.render());
  }

  /** The racers to choose from; keeps the current one when it still races. */
  setRacers(names: string[], wanted: string | null): void {
    const select = $("#inspect") as HTMLSelectElement;
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    const pick = [wanted, this.current, "adam"].find((n) => n !== null && names.includes(n)) ?? names[0] ?? null;
    this.current = pick;
    if (pick !== null) select.value = pick;
  }

  private racer(): Racer | undefined {
    return this.race().racers.find((r) => r.name === this.current);
  }

  /** The record of the step that led to the point on view (step t's record for t ≥ 1). */
  private record(racer: Racer): StepRecord | null {
    const t = Math.min(this.step(), racer.steps.length);
    return t >= 1 ? racer.steps[t - 1] : null;
  }

  /** NAG's look-ahead from the point on view, when the inspected racer has a momentum buffer and is NAG. */
  lookAhead(): [number, number] | null {
    const racer = this.racer();
    if (racer === undefined || racer.name !== "nag") return null;
    const record = this.record(racer);
    if (record === null) return null;
    const p = racer.points[racer.steps.indexOf(record) + 1];
    return lookAhead(record, racer.setup.options, [p.x, p.y]);
  }

  render(): void {
    const racer = this.racer();
    const body = $("#terms tbody");
    if (racer === undefined) {
      body.replaceChildren();
      return;
    }
    const rule = ruleOf(racer.name);
    const record = this.record(racer);
    const t = record === null ? 0 : racer.steps.indexOf(record) + 1;
    $("#inspect-step").textContent = record === null ? "(step 0: press step ▶)" : `step t = ${t}`;
    $("#rule-citation").textContent = rule.citation;
    $("#rule").textContent = rule.lines.join("\n") || "(no rule on file: its state entries are listed)";
    const rows: HTMLTableRowElement[] = [];
    const row = (key: string, symbol: string, from: string, value: Pair | number | null) => {
      const tr = document.createElement("tr");
      tr.dataset.term = key;
      const cell = (coord: string, v: number | undefined) => `<td data-term="${key}" data-coord="${coord}" data-value="${v ?? ""}">${v === undefined ? "" : formatNumber(v, 6)}</td>`;
      const [vx, vy] = value === null ? [undefined, undefined] : typeof value === "number" ? [value, undefined] : value;
      tr.innerHTML = `<th>${symbol}</th><td class="muted">${from}</td>${cell("x", vx)}${cell("y", vy)}`;
      rows.push(tr);
    };
    if (record !== null) {
      const options = racer.setup.options;
      const p = racer.points[t];
      row("theta", "θ", "the point after the step", [p.x, p.y]);
      row("g", "g", "∇f at the point before (+ noise)", record.g);
      for (const [key, value] of Object.entries(record.state)) row(key, rule.symbols[key] ?? key, `state.${key}`, value);
      const terms = rule.effectiveStep === undefined || rule.derived.includes(rule.effectiveStep) ? rule.derived : [...rule.derived, rule.effectiveStep];
      for (const term of terms) row(term.key, term.symbol, term.from, term.value(record, options));
      row("delta", "Δθ", "θ after − θ before", record.delta);
      const ahead = this.lookAhead();
      if (ahead !== null) row("lookahead", "θ − η·μ·b", "look-ahead (ring on the map)", ahead);
    }
    body.replaceChildren(...rows);
    this.renderEpsilon(racer, record);
    this.renderStepSizes();
  }

  private renderEpsilon(racer: Racer, record: StepRecord | null): void {
    const table = $("#epsilon");
    const adamLike = record !== null && Array.isArray(record.state.expAvgSq) && Array.isArray(racer.setup.options.betas);
    $("#epsilon-toggle").hidden = !adamLike;
    const show = adamLike && ($("#show-epsilon") as HTMLInputElement).checked;
    table.hidden = !show;
    if (!show) return;
    const rows = epsilonPlacements(record, racer.setup.options).map(({ form, who, value }) => {
      const tr = document.createElement("tr");
      tr.innerHTML = `<th>${form}</th><td class="muted">${who}</td><td>${value ? formatNumber(value[0], 6) : ""}</td><td>${value ? formatNumber(value[1], 6) : ""}</td>`;
      return tr;
    });
    $("#epsilon tbody").replaceChildren(...rows);
  }

  /** Every racer's per-coordinate step size (x), step 1 to the step on view: Adagrad's only shrinks, RMSprop's recovers. */
  private renderStepSizes(): void {
    const race = this.race();
    const upTo = this.step();
    const series = race.racers.flatMap((r) => {
      const term = ruleOf(r.name).effectiveStep;
      if (term === undefined) return [];
      const points: [number, number][] = [];
      r.steps.slice(0, upTo).forEach((s, i) => {
        const v = term.value(s, r.setup.options);
        if (v !== null) points.push([i + 1, v[0]]);
      });
      return [{ name: `${r.name}: ${term.symbol}`, color: colorOf(r.name), points }];
    });
    $("#step-sizes").hidden = series.length === 0;
    if (series.length === 0) return;
    drawLineChart($("#step-size-chart") as HTMLCanvasElement, series, { logY: true, xMax: Number(($("#timeline") as HTMLInputElement).max) });
  }
}
