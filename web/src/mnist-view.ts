// The MNIST view: picks the racers, drives the training worker, draws its live curves and fills the results table.

import { optim } from "../../src/browser.ts";
import { $, formatNumber, setPageState, showError } from "./dom.ts";
import { drawLineChart, type Series } from "./line-chart.ts";
import { describeBackend } from "./backend-line.ts";
import type { BackendLine, FromWorker, ToWorker } from "./mnist-protocol.ts";
import { colorOf, optionsFor } from "./optimizer-options.ts";
import { formatState, LECTURE_OPTIMIZERS, type PageState } from "./url-state.ts";
import { NO_BIAS_CORRECTION } from "./adam-no-bias-correction.ts";

/** Smoothing of the loss curve (an exponential moving average, as TensorBoard's slider). */
const SMOOTHING = 0.9;

export class MnistView {
  private readonly worker = new Worker(new URL("./mnist-worker.ts", import.meta.url), { type: "module" });
  private readonly loss = new Map<string, [number, number][]>();
  private readonly accuracy = new Map<string, [number, number][]>();
  private ready = false;
  private running = false;
  private paused = false;
  private steps = 200;
  private drawPending = false;

  constructor(private readonly state: PageState) {
    const names = state.optimizers === LECTURE_OPTIMIZERS && !new URLSearchParams(location.search).has("optimizers") ? ["sgd", "momentum", "adam"] : state.optimizers;
    this.renderOptimizerBoxes(names);
    $("#mnist-hidden").textContent = String(state.hidden);
    if (state.steps !== null) ($("#mnist-steps") as HTMLInputElement).value = String(state.steps);
    this.worker.addEventListener("message", (e: MessageEvent<FromWorker>) => this.onMessage(e.data));
    this.worker.addEventListener("error", (e) => this.showError(`the training worker failed: ${e.message}`));
    $("#mnist-start").addEventListener("click", () => this.start());
    $("#mnist-pause").addEventListener("click", (event) => this.togglePause(event));
    setStatus("loading", "loading MNIST and the kernels…");
    setPageState("loading");
  }

  private selected(): string[] {
    return Array.from(document.querySelectorAll<HTMLInputElement>("#mnist-optimizers input:checked")).map((b) => b.value);
  }

  private renderOptimizerBoxes(chosen: string[]): void {
    const boxes = optim.available().filter((n) => n !== NO_BIAS_CORRECTION).map((name) => {
      const label = document.createElement("label");
      label.className = "chip";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      box.checked = chosen.includes(name);
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colorOf(name);
      const lr = document.createElement("input");
      lr.type = "number";
      lr.className = "lr";
      lr.step = "any";
      lr.min = "0";
      lr.title = `${name}'s learning rate`;
      lr.dataset.optimizer = name;
      lr.value = String(optionsFor(name, "mnist", this.state.options[name]).lr);
      label.append(box, swatch, ` ${name} `, lr);
      return label;
    });
    $("#mnist-optimizers").replaceChildren(...boxes);
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private start(): void {
    if (!this.ready || this.running) return;
    const names = this.selected();
    if (names.length === 0) return this.showError("choose at least one optimizer");
    const steps = Number(($("#mnist-steps") as HTMLInputElement).value);
    if (!Number.isInteger(steps) || steps < 1) return this.showError(`steps must be a positive integer, got ${($("#mnist-steps") as HTMLInputElement).value}`);
    this.steps = steps;
    this.state.optimizers = names;
    this.state.steps = steps;
    this.loss.clear();
    this.accuracy.clear();
    $("#mnist-results tbody").replaceChildren();
    for (const name of names) {
      const input = document.querySelector<HTMLInputElement>(`#mnist-optimizers input.lr[data-optimizer="${name}"]`)!;
      const lr = Number(input.value);
      if (!(lr > 0) || !Number.isFinite(lr)) return this.showError(`${name}'s lr must be a positive number, got "${input.value}"`);
      if (lr !== optionsFor(name, "mnist").lr) this.state.options[name] = { ...this.state.options[name], lr };
    }
    history.replaceState(null, "", `?${formatState(this.state)}`);
    const racers = names.map((name) => ({ name, options: optionsFor(name, "mnist", this.state.options[name]) }));
    this.post({ type: "start", racers, steps, batch: this.state.batch, hidden: this.state.hidden, seed: this.state.seed, threads: this.state.threads });
    this.running = true;
    this.paused = false;
    ($("#mnist-pause") as HTMLButtonElement).disabled = false;
    ($("#mnist-start") as HTMLButtonElement).disabled = true;
    setStatus("running", "training…");
    setPageState("running");
  }

  /** Handled on the main thread at once (the worker trains elsewhere); the worker confirms after its current step. */
  private togglePause(event: Event): void {
    if (!this.running) return;
    this.paused = !this.paused;
    this.post({ type: this.paused ? "pause" : "resume" });
    const button = $("#mnist-pause");
    button.textContent = this.paused ? "▶ resume" : "❚❚ pause";
    setStatus(this.paused ? "pausing" : "running", this.paused ? "pausing…" : "training…");
    // The time from the click to this handler's update: what the tests hold under 200 ms.
    button.dataset.latencyMs = String(Math.max(0, performance.now() - event.timeStamp));
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case "ready": {
        this.ready = true;
        $("#mnist-train-size").textContent = m.trainSize.toLocaleString("en");
        showBackend(m.backend);
        setStatus("idle", "ready");
        setPageState("ready");
        if (this.state.autoplay) this.start();
        break;
      }
      case "loss": {
        const series = this.loss.get(m.name) ?? [];
        const previous = series.length > 0 ? series[series.length - 1][1] : m.loss;
        series.push([m.step, SMOOTHING * previous + (1 - SMOOTHING) * m.loss]);
        this.loss.set(m.name, series);
        this.scheduleDraw();
        setStatus(this.paused ? "pausing" : "running", `${this.paused ? "pausing" : "training"}: step ${m.step} of ${this.steps}`);
        break;
      }
      case "accuracy":
        this.accuracy.set(m.name, [...(this.accuracy.get(m.name) ?? []), [m.step, m.accuracy]]);
        this.scheduleDraw();
        break;
      case "paused":
        setStatus("paused", `paused at step ${m.step}`);
        setPageState("paused");
        break;
      case "resumed":
        setPageState("running");
        break;
      case "result": {
        const tr = document.createElement("tr");
        tr.dataset.optimizer = m.name;
        const cells: [string, string][] = [["lr", formatNumber(m.lr, 4)], ["steps", String(m.steps)], ["first-loss", formatNumber(m.firstLoss, 6)], ["loss", formatNumber(m.loss, 4)], ["accuracy", formatNumber(m.accuracy, 4)], ["seconds", m.seconds.toFixed(1)], ["samples-per-second", String(Math.round(m.samplesPerSec))]];
        tr.innerHTML = `<th><span class="swatch" style="background:${colorOf(m.name)}"></span>${m.name}</th>${cells.map(([k, v]) => `<td data-col="${k}">${v}</td>`).join("")}`;
        $("#mnist-results tbody").append(tr);
        break;
      }
      case "done":
        this.running = false;
        showBackend(m.backend);
        $("#backend").dataset.backendInfo = JSON.stringify(m.backendInfo);
        ($("#mnist-pause") as HTMLButtonElement).disabled = true;
        ($("#mnist-start") as HTMLButtonElement).disabled = false;
        setStatus("done", "done: test accuracy on all 10,000 test digits in the table");
        this.draw();
        setPageState("done");
        break;
      case "error":
        this.showError(`training failed: ${m.message}`);
        break;
    }
  }

  private scheduleDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  draw(): void {
    const series = (data: Map<string, [number, number][]>): Series[] => [...data].map(([name, points]) => ({ name, color: colorOf(name), points }));
    drawLineChart($("#mnist-loss") as HTMLCanvasElement, series(this.loss), { logY: true, xMax: this.steps });
    const lowest = Math.min(...[...this.accuracy.values()].flat().map(([, a]) => a));
    const yMin = Number.isFinite(lowest) ? Math.floor(lowest * 10) / 10 : 0;
    drawLineChart($("#mnist-accuracy") as HTMLCanvasElement, series(this.accuracy), { xMax: this.steps, yMin, yMax: 1, yFormat: (v) => `${+(v * 100).toFixed(1)}%` });
  }

  private showError(message: string): void {
    showError(message);
    setStatus("error", message);
  }
}

/** The header's line, from the worker's ndgrad (the page's own ndgrad does not train). */
function showBackend({ backend, threads, isolated }: BackendLine): void {
  const line = $("#backend");
  line.textContent = describeBackend("training worker", backend, threads, isolated);
  line.dataset.workerThreads = String(threads);
  line.dataset.workerBackend = backend;
}

function setStatus(state: string, text: string): void {
  const out = $("#mnist-status");
  out.dataset.state = state;
  out.textContent = text;
}
