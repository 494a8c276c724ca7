// The 2-D race view: controls, the map, the timeline, the results table, exports and keyboard; the inspector is its own module.

import { optim } from "../../src/browser.ts";
import { NO_BIAS_CORRECTION } from "./adam-no-bias-correction.ts";
import { ContourMap } from "./contour-map.ts";
import { downloadText, pathsCsv, pathsJson } from "./export.ts";
import { Inspector } from "./inspector.ts";
import { colorOf, optionsFor, slidersFor, type SliderSpec } from "./optimizer-options.ts";
import { Race } from "./race.ts";
import { makeSurface, SURFACE_NAMES, type Surface } from "./surfaces.ts";
import { formatState, LECTURE_OPTIMIZERS, type PageState } from "./url-state.ts";
import { $, formatNumber, setPageState, showError } from "./dom.ts";

export class RaceView {
  private surface!: Surface;
  private race!: Race;
  private step = 0;
  private playing = false;
  private lastFrame = 0;
  private carry = 0;
  private readonly map = new ContourMap($("#map") as HTMLCanvasElement);
  private readonly inspector: Inspector;

  constructor(private readonly state: PageState, private readonly dark: () => boolean) {
    this.inspector = new Inspector(() => this.race, () => this.step, () => this.redraw());
    this.buildControls();
    this.rebuild();
    this.step = Math.min(state.step, this.targetSteps());
    this.race.advanceTo(this.step);
    this.redraw();
    if (state.autoplay) this.play();
    else setPageState(this.step >= this.targetSteps() ? "done" : "ready");
  }

  private targetSteps(): number {
    return this.state.steps ?? this.surface.steps;
  }

  /** Starts the race again from step 0 with the current settings (the surface, options, start or noise changed). */
  private rebuild(): void {
    const s = this.state;
    this.surface = makeSurface(s.surface, s);
    const start = s.start ?? this.surface.start;
    const setups = s.optimizers.map((name) => ({ name, options: optionsFor(name, this.surface, s.options[name]) }));
    this.race = new Race(this.surface, setups, start, { sigma: s.noise, seed: s.seed });
    this.map.setSurface(this.surface, this.dark());
    $("#formula").textContent = this.surface.formula;
    const timeline = $("#timeline") as HTMLInputElement;
    timeline.max = String(this.targetSteps());
    ($("#steps") as HTMLInputElement).value = String(this.targetSteps());
    this.inspector.setRacers(this.race.racers.map((r) => r.name), s.inspect);
    this.step = 0;
    this.renderOptimizerList();
    this.renderSurfaceParams();
  }

  /** Applies a change of settings: new race, the URL updated, paused at step 0. */
  private changed(): void {
    this.pause();
    this.state.step = 0;
    try {
      this.rebuild();
      $("#error").hidden = true;
    } catch (e) {
      showError(e);
    }
    this.redraw();
    setPageState("ready");
    this.saveUrl();
  }

  private saveUrl(): void {
    this.state.step = this.step;
    this.state.inspect = this.inspector.current;
    history.replaceState(null, "", `?${formatState(this.state)}`);
  }

  redrawTheme(): void {
    this.map.setSurface(this.surface, this.dark());
    this.redraw();
  }

  private redraw(): void {
    const colors = new Map(this.race.racers.map((r) => [r.name, colorOf(r.name)]));
    this.map.draw(this.race, this.step, { colors, inspected: this.inspector.current, lookAhead: this.inspector.lookAhead() });
    ($("#timeline") as HTMLInputElement).value = String(this.step);
    $("#step-label").textContent = String(this.step);
    $("#play").textContent = this.playing ? "❚❚ pause" : "▶ play";
    this.renderResults();
    this.inspector.render();
  }

  private renderResults(): void {
    const body = $("#race-results tbody");
    const minimum = this.surface.minimum;
    const rows = this.race.racers.map((racer) => {
      const t = Math.min(this.step, racer.points.length - 1);
      const p = racer.points[t];
      const { x: [x0, x1], y: [y0, y1] } = this.surface.domain;
      const reached = racer.stepsToReach(minimum, this.state.tol);
      const note = racer.divergedAt !== null && racer.divergedAt <= this.step ? `diverged (step ${racer.divergedAt})`
        : p.x < x0 || p.x > x1 || p.y < y0 || p.y > y1 ? "off the map: ▶ on its edge" : "";
      const tr = document.createElement("tr");
      tr.dataset.optimizer = racer.name;
      tr.innerHTML = `<th><span class="swatch" style="background:${colorOf(racer.name)}"></span>${racer.name}</th>`
        + `<td data-col="x">${formatNumber(p.x)}</td><td data-col="y">${formatNumber(p.y)}</td><td data-col="f">${formatNumber(p.f)}</td>`
        + `<td data-col="reached">${reached === null ? (minimum === null ? "–" : "not yet") : reached <= this.step ? reached : "not yet"}</td><td data-col="note">${note}</td>`;
      return tr;
    });
    body.replaceChildren(...rows);
    $("#tol-label").textContent = String(this.state.tol);
  }

  private setStep(t: number): void {
    this.step = Math.max(0, Math.min(t, this.targetSteps()));
    this.race.advanceTo(this.step);
    this.redraw();
  }

  play(): void {
    if (this.step >= this.targetSteps()) this.setStep(0);
    this.playing = true;
    setPageState("running");
    this.lastFrame = performance.now();
    this.carry = 0;
    requestAnimationFrame((now) => this.frame(now));
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    setPageState(this.step >= this.targetSteps() ? "done" : "paused");
    this.redraw();
    this.saveUrl();
  }

  private frame(now: number): void {
    if (!this.playing) return;
    this.carry += ((now - this.lastFrame) / 1000) * this.state.speed;
    this.lastFrame = now;
    const advance = Math.floor(this.carry);
    this.carry -= advance;
    if (advance > 0) this.setStep(this.step + advance);
    if (this.step >= this.targetSteps()) {
      this.playing = false;
      this.redraw();
      this.saveUrl();
      setPageState("done");
      return;
    }
    requestAnimationFrame((t) => this.frame(t));
  }

  /** Space plays or pauses; arrows step (shift: ten steps). Keys typed into a control stay with it (a focused button's space is its click). */
  onKey(event: KeyboardEvent): void {
    const control = event.target instanceof Element ? event.target.closest("input, select, textarea, summary, button") : null;
    if (control !== null && (control.tagName !== "BUTTON" || event.key === " ")) return;
    if (event.key === " ") {
      event.preventDefault();
      if (this.playing) this.pause();
      else this.play();
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      this.pause();
      this.setStep(this.step + (event.key === "ArrowRight" ? 1 : -1) * (event.shiftKey ? 10 : 1));
      this.saveUrl();
    }
  }

  private buildControls(): void {
    const s = this.state;
    const surfaceSelect = $("#surface") as HTMLSelectElement;
    surfaceSelect.replaceChildren(...SURFACE_NAMES.map((n) => new Option(n, n)));
    surfaceSelect.value = s.surface;
    surfaceSelect.addEventListener("change", () => {
      s.surface = surfaceSelect.value;
      s.start = null;
      s.steps = null;
      this.changed();
    });
    const steps = $("#steps") as HTMLInputElement;
    steps.addEventListener("change", () => {
      const v = Number(steps.value);
      if (Number.isInteger(v) && v > 0) s.steps = v;
      this.changed();
    });
    bindRange($("#noise") as HTMLInputElement, $("#noise-label"), s.noise, (v) => {
      s.noise = v;
      this.changed();
    });
    bindRange($("#speed") as HTMLInputElement, $("#speed-label"), s.speed, (v) => {
      s.speed = v;
      this.saveUrl();
    });
    const seed = $("#seed") as HTMLInputElement;
    seed.value = String(s.seed);
    seed.addEventListener("change", () => {
      s.seed = Math.trunc(Number(seed.value)) || 0;
      this.changed();
    });
    const tol = $("#tol") as HTMLInputElement;
    tol.value = String(s.tol);
    tol.addEventListener("change", () => {
      const v = Number(tol.value);
      if (!(v > 0) || !Number.isFinite(v)) return showError(`tolerance must be a positive number, got "${tol.value}"`);
      s.tol = v;
      this.redraw();
      this.saveUrl();
    });
    $("#play").addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    $("#step-forward").addEventListener("click", () => {
      this.pause();
      this.setStep(this.step + 1);
      this.saveUrl();
    });
    $("#step-back").addEventListener("click", () => {
      this.pause();
      this.setStep(this.step - 1);
      this.saveUrl();
    });
    $("#reset").addEventListener("click", () => {
      this.pause();
      this.setStep(0);
      setPageState("ready");
      this.saveUrl();
    });
    const timeline = $("#timeline") as HTMLInputElement;
    timeline.addEventListener("input", () => {
      this.pause();
      this.setStep(Number(timeline.value));
    });
    timeline.addEventListener("change", () => this.saveUrl());
    const canvas = $("#map") as HTMLCanvasElement;
    canvas.addEventListener("click", (event) => {
      const rect = canvas.getBoundingClientRect();
      const px = ((event.clientX - rect.left) / rect.width) * canvas.width;
      const py = ((event.clientY - rect.top) / rect.height) * canvas.height;
      s.start = this.map.toWorld(px, py);
      this.changed();
    });
    const noBias = $("#no-bias-correction") as HTMLInputElement;
    noBias.checked = s.optimizers.includes(NO_BIAS_CORRECTION);
    noBias.addEventListener("change", () => {
      s.optimizers = noBias.checked ? [...s.optimizers.filter((n) => n !== NO_BIAS_CORRECTION), "adam", NO_BIAS_CORRECTION].filter((n, i, all) => all.indexOf(n) === i) : s.optimizers.filter((n) => n !== NO_BIAS_CORRECTION);
      if (noBias.checked) s.inspect = NO_BIAS_CORRECTION;
      this.changed();
    });
    $("#preset-adagrad-rmsprop").addEventListener("click", () => {
      s.optimizers = ["adagrad", "rmsprop"];
      s.options.adagrad = { ...s.options.adagrad, lr: 0.5 };
      s.options.rmsprop = { ...s.options.rmsprop, lr: 0.05 };
      s.inspect = "adagrad";
      s.steps = Math.max(this.targetSteps(), 300);
      this.changed();
    });
    $("#preset-lecture").addEventListener("click", () => {
      s.optimizers = [...LECTURE_OPTIMIZERS];
      this.changed();
    });
    $("#export-json").addEventListener("click", () => downloadText(`paths-${s.surface}.json`, pathsJson(this.race, this.step, this.state), "application/json"));
    $("#export-csv").addEventListener("click", () => downloadText(`paths-${s.surface}.csv`, pathsCsv(this.race, this.step), "text/csv"));
    $("#copy-link").addEventListener("click", () => {
      this.saveUrl();
      void navigator.clipboard?.writeText(location.href).catch(() => {});
    });
  }

  /** A checkbox per registered optimizer, and for each selected one its sliders. */
  private renderOptimizerList(): void {
    const s = this.state;
    const items = optim.available().map((name) => {
      const item = document.createElement("details");
      item.className = "optimizer";
      item.dataset.optimizer = name;
      const on = s.optimizers.includes(name);
      item.open = on && s.optimizers.length <= 3;
      const summary = document.createElement("summary");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = on;
      box.addEventListener("click", (e) => e.stopPropagation());
      box.addEventListener("change", () => {
        s.optimizers = box.checked ? optim.available().filter((n) => n === name || s.optimizers.includes(n)) : s.optimizers.filter((n) => n !== name);
        this.changed();
      });
      summary.append(box, swatch(name), ` ${name}`);
      item.append(summary);
      if (on) {
        const options = optionsFor(name, this.surface, s.options[name]);
        for (const spec of slidersFor(name)) item.append(this.slider(name, spec, options));
      }
      return item;
    });
    $("#optimizer-list").replaceChildren(...items);
  }

  private slider(name: string, spec: SliderSpec, options: Record<string, unknown>): HTMLElement {
    const current = spec.index === undefined ? (options[spec.key] as number) : (options[spec.key] as number[])[spec.index];
    const label = document.createElement("label");
    label.className = "slider";
    const input = document.createElement("input");
    input.type = "range";
    input.dataset.option = spec.index === undefined ? spec.key : `${spec.key}${spec.index}`;
    const out = document.createElement("output");
    const toSlider = (v: number) => (spec.log ? Math.log10(v) : v);
    const fromSlider = (v: number) => (spec.log ? 10 ** v : v);
    input.min = String(toSlider(spec.min));
    input.max = String(toSlider(spec.max));
    input.step = spec.log ? "0.05" : "0.001";
    input.value = String(toSlider(current));
    out.textContent = formatNumber(current, 3);
    input.addEventListener("input", () => (out.textContent = formatNumber(fromSlider(Number(input.value)), 3)));
    input.addEventListener("change", () => {
      const v = +fromSlider(Number(input.value)).toPrecision(3);
      const o = (this.state.options[name] ??= {});
      if (spec.index === undefined) o[spec.key] = v;
      else {
        const betas = [...((options.betas as [number, number]) ?? [0.9, 0.999])] as [number, number];
        betas[spec.index] = v;
        o.betas = betas;
      }
      this.changed();
    });
    label.append(`${spec.label} `, input, " ", out);
    return label;
  }

  private renderSurfaceParams(): void {
    const s = this.state;
    const box = $("#surface-params");
    box.replaceChildren();
    if (s.surface === "quadratic") {
      for (const [key, label, min, max, stepSize] of [["kappa", "condition number κ", 1, 100, 1], ["angle", "rotation (degrees)", 0, 90, 5]] as const) {
        const l = document.createElement("label");
        const input = document.createElement("input");
        const out = document.createElement("output");
        Object.assign(input, { type: "range", min, max, step: stepSize, value: String(s[key]) });
        out.textContent = String(s[key]);
        input.addEventListener("input", () => (out.textContent = input.value));
        input.addEventListener("change", () => {
          s[key] = Number(input.value);
          this.changed();
        });
        l.append(`${label} `, input, " ", out);
        box.append(l);
      }
    }
    if (s.surface === "custom") {
      const l = document.createElement("label");
      const input = document.createElement("input");
      input.type = "text";
      input.value = s.formula;
      input.size = 32;
      input.addEventListener("change", () => {
        s.formula = input.value;
        this.changed();
      });
      l.append("f(x, y) = ", input);
      box.append(l);
    }
  }
}

function swatch(name: string): HTMLElement {
  const span = document.createElement("span");
  span.className = "swatch";
  span.style.background = colorOf(name);
  return span;
}

function bindRange(input: HTMLInputElement, out: HTMLElement, value: number, onChange: (v: number) => void): void {
  input.value = String(value);
  out.textContent = input.value;
  input.addEventListener("input", () => (out.textContent = input.value));
  input.addEventListener("change", () => onChange(Number(input.value)));
}
