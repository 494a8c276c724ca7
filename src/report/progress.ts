// Live progress bars for training runs (cli-progress on a terminal, one plain line per epoch elsewhere).

import type { Options as BarOptions, Params as BarParams, SingleBar } from "cli-progress";
import { checkInteger, checkOptions, checkString } from "./check.ts";
import { colorEnabled, displayWidth, stripAnsi, formatInteger, formatNumber, formatPercent, formatSeconds } from "./format.ts";
import { requirePeer } from "./optional-peer.ts";

type CliProgress = typeof import("cli-progress");

/** What a bar shows; fields left out keep their last value (an accuracy is shown until the next one). */
export interface StepMetrics {
  /** The current epoch, counted from 1. */
  epoch: number;
  loss?: number;
  /** A fraction in [0, 1], shown as a percentage. */
  accuracy?: number;
  samplesPerSec?: number;
}

export interface ProgressBar {
  /** Moves the bar to `step` of `totalSteps`. Cheap enough to call every iteration: drawing is throttled. */
  update(step: number, metrics: StepMetrics): void;
  /** Completes the bar, leaving it (and the optional summary, e.g. "test acc 97.9%") on screen. */
  finish(summary?: string): void;
  /** Stops the bar where it is and marks it failed, e.g. fail("diverged at step 123"). */
  fail(message: string): void;
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface TrainingProgressOptions {
  /** Print nothing at all. */
  quiet?: boolean;
  /** Default process.stderr, so progress never mixes into piped stdout. */
  stream?: Stream;
  /** Redraw bars in place; default: whether the stream is a TTY. Otherwise one plain line per epoch. */
  tty?: boolean;
  /** ANSI colours; default when the stream is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Number of epochs, shown as "epoch 3/10" (per bar it may be overridden). */
  epochs?: number;
  /** Names are padded to this width so that successive bars line up (default 8). */
  nameWidth?: number;
}

const GREEN = "\x1b[32m";
const RED = "\x1b[31m";
const RESET = "\x1b[0m";

interface BarState extends StepMetrics {
  step: number;
}

/**
 * The progress display of a training script: one bar per run (per optimizer in a race), made when
 * that run starts. Runs go one after another, so only the newest bar is live; finished bars stay
 * on screen above it, with their summary or failure.
 *
 * On a terminal the bar is redrawn in place by cli-progress. Its synchronous mode is used (not
 * MultiBar, which redraws only from a timer) because a training loop rarely yields to the event
 * loop: the bar redraws from `update()` itself, at most every 200 ms. When the stream is not a
 * terminal (CI logs, pipes, files), no escape codes are written: one line per finished epoch.
 */
export class TrainingProgress {
  private readonly quiet: boolean;
  private readonly stream: Stream;
  private readonly tty: boolean;
  private readonly color: boolean;
  private readonly epochs?: number;
  private readonly nameWidth: number;
  private live: LiveBar | null = null;

  constructor(options: TrainingProgressOptions = {}) {
    checkOptions("TrainingProgress", options, { quiet: true, stream: true, tty: true, color: true, epochs: true, nameWidth: true }, "an object such as { epochs: 5, quiet: false }");
    if (options.epochs !== undefined) checkInteger("TrainingProgress", "epochs", options.epochs, 1);
    this.quiet = options.quiet ?? false;
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.color = options.color ?? (this.tty && colorEnabled(this.stream));
    this.epochs = options.epochs;
    this.nameWidth = options.nameWidth ?? 8;
  }

  /**
   * Starts the bar of a run of `totalSteps` iterations. A bar still live from an earlier run is
   * stopped where it is.
   */
  bar(name: string, totalSteps: number, options: { epochs?: number } = {}): ProgressBar {
    checkString("TrainingProgress.bar", "name", name);
    checkInteger("TrainingProgress.bar", "totalSteps", totalSteps, 0);
    checkOptions("TrainingProgress.bar", options, { epochs: true });
    if (options.epochs !== undefined) checkInteger("TrainingProgress.bar", "epochs", options.epochs, 1);
    if (this.quiet) return { update() {}, finish() {}, fail() {} };
    this.live?.stop();
    const epochs = options.epochs ?? this.epochs;
    const bar: LiveBar = this.tty
      ? new TtyBar(name.padEnd(this.nameWidth), totalSteps, epochs, this.stream, this.color, () => this.release(bar))
      : new PlainBar(name, totalSteps, epochs, this.stream, () => this.release(bar));
    this.live = bar;
    return bar;
  }

  /** Prints a message line, above the live bar if there is one. */
  log(message: string): void {
    if (this.quiet) return;
    if (this.live instanceof TtyBar) this.live.printAbove(message);
    else this.stream.write(`${message}\n`);
  }

  /**
   * Stops the live bar, if any. Call it before printing the final table, and on an early exit: a
   * bar left live keeps redrawing from a timer, which keeps Node running.
   */
  stop(): void {
    this.live?.stop();
    this.live = null;
  }

  private release(bar: LiveBar): void {
    if (this.live === bar) this.live = null;
  }
}

interface LiveBar extends ProgressBar {
  stop(): void;
}

/** Text of the metrics part of a line, shared by both displays. */
function describe(s: BarState, total: number, epochs: number | undefined, withStep: boolean): string[] {
  const parts = [`epoch ${s.epoch}${epochs ? `/${epochs}` : ""}`];
  if (withStep) parts.push(`step ${s.step}/${total}`);
  if (s.loss !== undefined) parts.push(`loss ${formatNumber(s.loss, 4)}`);
  if (s.accuracy !== undefined) parts.push(`acc ${formatPercent(s.accuracy)}`);
  if (s.samplesPerSec !== undefined) parts.push(`${formatInteger(s.samplesPerSec)} samples/s`);
  return parts;
}

function merge(state: BarState | null, step: number, m: StepMetrics): BarState {
  const next: BarState = { ...(state ?? {}), step, epoch: m.epoch };
  if (m.loss !== undefined) next.loss = m.loss;
  if (m.accuracy !== undefined) next.accuracy = m.accuracy;
  if (m.samplesPerSec !== undefined) next.samplesPerSec = m.samplesPerSec;
  return next;
}

/** Non-TTY display: a line when an epoch is over (seen when the next one starts, or at the end). */
class PlainBar implements LiveBar {
  private state: BarState | null = null;
  private pending = false;
  private done = false;
  private readonly started = Date.now();

  constructor(
    private readonly name: string,
    private readonly total: number,
    private readonly epochs: number | undefined,
    private readonly stream: Stream,
    private readonly onDone: () => void,
  ) {
    stream.write(`${name}: ${total} steps\n`);
  }

  update(step: number, metrics: StepMetrics): void {
    if (this.done) return;
    if (this.pending && this.state && metrics.epoch !== this.state.epoch) this.flush();
    this.state = merge(this.state, step, metrics);
    this.pending = true;
  }

  finish(summary?: string): void {
    this.end(`done in ${formatSeconds(this.elapsed())}${summary ? `: ${summary}` : ""}`);
  }

  fail(message: string): void {
    this.end(`✗ ${message}`);
  }

  stop(): void {
    if (this.done) return;
    if (this.pending) this.flush();
    this.done = true;
    this.onDone();
  }

  private end(text: string): void {
    if (this.done) return;
    if (this.pending) this.flush();
    this.stream.write(`${this.name}: ${text}\n`);
    this.done = true;
    this.onDone();
  }

  private flush(): void {
    const s = this.state!;
    const parts = describe(s, this.total, this.epochs, true);
    this.stream.write(`${this.name}  ${parts.join("  ")}  ${formatSeconds(this.elapsed())}\n`);
    this.pending = false;
  }

  private elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }
}

/** TTY display: a cli-progress bar redrawn in place, with the name, metrics, elapsed time and ETA. */
class TtyBar implements LiveBar {
  private state: BarState = { step: 0, epoch: 1 };
  private status = "";
  private done = false;
  private readonly cliProgress = requirePeer<CliProgress>("cli-progress", "TrainingProgress");
  private readonly bar: SingleBar;
  private readonly started = Date.now();

  constructor(
    private readonly name: string,
    private readonly total: number,
    private readonly epochs: number | undefined,
    private readonly stream: Stream,
    private readonly color: boolean,
    private readonly onDone: () => void,
  ) {
    this.bar = new this.cliProgress.SingleBar({
      stream,
      format: (options, params) => this.line(options, params),
      // The cursor stays visible: hiding it needs a SIGINT handler to restore it, and any SIGINT
      // handler stops Ctrl-C from ending the process (cli-progress's gracefulExit only stops the bar).
      hideCursor: false,
      clearOnComplete: false,
      synchronousUpdate: true,
      barCompleteChar: "█",
      barIncompleteChar: "░",
    });
    this.bar.start(Math.max(1, total), 0);
  }

  update(step: number, metrics: StepMetrics): void {
    if (this.done) return;
    this.state = merge(this.state, step, metrics);
    this.bar.update(Math.min(step, this.total));
  }

  finish(summary?: string): void {
    if (this.done) return;
    const text = `✓ ${formatSeconds(this.elapsed())}${summary ? `  ${summary}` : ""}`;
    this.status = this.color ? `${GREEN}${text}${RESET}` : text;
    this.state = { ...this.state, step: this.total };
    this.bar.update(this.total);
    this.stop();
  }

  fail(message: string): void {
    if (this.done) return;
    this.status = this.color ? `${RED}✗ ${message}${RESET}` : `✗ ${message}`;
    this.stop();
  }

  stop(): void {
    if (this.done) return;
    this.done = true;
    this.bar.stop();
    this.onDone();
  }

  printAbove(message: string): void {
    // cli-progress saved the cursor (ESC 7) where the bar started and restores it when the bar
    // stops; the bar now sits one line lower, so the saved position moves with it.
    this.stream.write(`\r\x1b[2K${message}\n\x1b7`);
    // cli-progress skips a redraw when the text is unchanged; forget the last text (a field of
    // cli-progress 3) so that the bar reappears at once.
    (this.bar as unknown as { lastDrawnString: string }).lastDrawnString = "";
    this.bar.render();
  }

  private elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  /**
   * One line that fits the terminal: when it is narrow the least useful parts go first (step
   * count, speed, times), and the outcome of a finished or failed run always stays.
   */
  private line(options: BarOptions, params: BarParams): string {
    const s = this.state;
    const parts: { text: string; keep: number }[] = [
      { text: `${Math.floor(params.progress * 100)}%`.padStart(4), keep: 9 },
      { text: `${s.step}/${this.total}`, keep: 1 },
      ...describe(s, this.total, this.epochs, false).map((text) => ({
        text,
        keep: text.endsWith("samples/s") ? 3 : text.startsWith("epoch") ? 4 : 5,
      })),
    ];
    if (this.status) parts.push({ text: this.status, keep: 9 });
    else {
      const elapsed = this.elapsed();
      const eta = s.step > 0 ? (elapsed / s.step) * (this.total - s.step) : NaN;
      const etaText = Number.isFinite(eta) && s.step < this.total ? `, eta ${formatSeconds(eta)}` : "";
      parts.push({ text: `${formatSeconds(elapsed)}${etaText}`, keep: 2 });
    }
    const width = (params.maxWidth > 0 ? params.maxWidth : 80) - 1;
    // The bar's size depends on the terminal only, so that successive bars line up.
    const barSize = Math.max(10, Math.min(30, Math.floor(width / 5)));
    const length = () => this.name.length + 1 + barSize + parts.reduce((n, p) => n + 3 + displayWidth(p.text), 0);
    while (length() > width) {
      const drop = parts.reduce((lo, p, i) => (p.keep < 9 && (lo < 0 || p.keep < parts[lo].keep) ? i : lo), -1);
      if (drop < 0) break;
      parts.splice(drop, 1);
    }
    const bar = this.cliProgress.Format.BarFormat(params.progress, { ...options, barsize: barSize });
    const [pct, ...rest] = parts.map((p) => p.text);
    const full = `${this.name} ${bar} ${pct}${rest.length ? ` │ ${rest.join(" │ ")}` : ""}`;
    if (displayWidth(full) <= width) return full;
    // Still too wide: cut the colourless line, since a wrapped line breaks the redraw.
    return [...stripAnsi(full)].slice(0, width).join("");
  }
}
