// The command line of every example, bench and script: flags declared once (parsing and --help come from the same table), on node:util parseArgs.
//
// Misuse prints one line, "error: <what> (<what is valid>)", then the usage, and exits with status 2;
// --help prints the usage and exits 0 before anything runs. Negative numbers are values, not flags:
// `--epochs -1` reaches the range check instead of parseArgs' "ambiguous" message.

import { parseArgs } from "node:util";

export interface Flag {
  type: "string" | "boolean";
  /** What the flag does, for --help (with its default when it has one). */
  help: string;
  /** The value's placeholder in --help, e.g. "N" or "a,b,...". */
  arg?: string;
  short?: string;
  /** The flag may repeat; its values are collected in order. */
  multiple?: boolean;
}

export interface Command<F extends Record<string, Flag>> {
  /** How to run it, e.g. "npx tsx examples/xor.ts [flags]". */
  usage: string;
  /** What it does, a few lines. */
  about: string;
  flags: F;
  /** Anything --help should add after the flags (examples, defaults that depend on other flags). */
  notes?: string;
}

export type FlagValues<F extends Record<string, Flag>> = {
  [K in keyof F]: F[K] extends { type: "boolean" } ? boolean : F[K] extends { multiple: true } ? string[] : string | undefined;
};

/** Bad input on the command line; the message names the flag, the value as given and what is valid. */
export class UsageError extends Error {}

const HELP: Flag = { type: "boolean", short: "h", help: "this text" };

/** The --help text of a command. */
export function helpText<F extends Record<string, Flag>>(command: Command<F>): string {
  const rows = Object.entries({ ...command.flags, help: HELP }).map(([name, f]) => [`${f.short ? `-${f.short}, ` : "    "}--${name}${f.arg ? ` ${f.arg}` : ""}`, f.help]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const flags = rows.map(([left, help]) => `  ${left.padEnd(width)}${help.replace(/\n/g, `\n  ${" ".repeat(width)}`)}`).join("\n");
  return `Usage: ${command.usage}\n\n${command.about}\n\nFlags:\n${flags}\n${command.notes ? `\n${command.notes}\n` : ""}`;
}

/**
 * Parses argv into flag values, or throws UsageError. A value that looks like a negative number
 * (-1, -0.5, -1e-3, -Infinity) after a flag that takes a value is that flag's value.
 */
export function parseFlags<F extends Record<string, Flag>>(command: Command<F>, argv: readonly string[]): FlagValues<F> & { help: boolean } {
  const flags = { ...command.flags, help: HELP };
  const takesValue = new Set(Object.entries(flags).flatMap(([name, f]) => (f.type === "string" ? [`--${name}`, ...(f.short ? [`-${f.short}`] : [])] : [])));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (takesValue.has(argv[i]) && i + 1 < argv.length && /^-(\d|\.\d|Infinity)/.test(argv[i + 1])) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  const valid = Object.keys(flags).map((n) => `--${n}`).join(", ");
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: false, options: flags as Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> });
  } catch (e) {
    const message = (e as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown flag ${unknown[1]} (valid: ${valid})`);
    const positional = /^Unexpected argument '([^']+)'/.exec(message);
    if (positional) throw new UsageError(`unexpected argument "${positional[1]}": every value follows its flag (valid flags: ${valid})`);
    const missing = /^Option '(-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
    if (missing) throw new UsageError(`${missing[2]} needs a value (${flags[missing[2].slice(2)]?.help ?? "see --help"})`);
    const boolean = /^Option '(-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
    if (boolean) throw new UsageError(`${boolean[2]} takes no value (it is a switch)`);
    throw new UsageError(message);
  }
  const values = parsed.values as Record<string, unknown>;
  for (const [name, f] of Object.entries(flags)) if (f.type === "boolean" && values[name] === undefined) values[name] = false;
  for (const [name, f] of Object.entries(flags)) if (f.multiple && values[name] === undefined) values[name] = [];
  return values as FlagValues<F> & { help: boolean };
}

/**
 * The command line of a script, ready to use: --help prints the usage and exits 0; a UsageError from
 * parsing or from `build` (which turns flag values into the script's settings) prints one error
 * line and the usage, and exits 2.
 */
export function commandLine<F extends Record<string, Flag>, T>(command: Command<F>, build: (values: FlagValues<F>) => T, argv: readonly string[] = process.argv.slice(2)): T {
  try {
    const values = parseFlags(command, argv);
    if (values.help) {
      process.stdout.write(helpText(command));
      process.exit(0);
    }
    return build(values);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n\n${helpText(command)}`);
    process.exit(2);
  }
}

/** An integer flag: `fallback` when absent, else at least `min` (-Infinity: any integer). */
export function integer(flag: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(v) || v < min) throw new UsageError(`invalid --${flag} "${text}" (must be an integer${min === -Infinity ? "" : ` >= ${min}`})`);
  return v;
}

/** A number flag: `fallback` when absent, else a finite number that passes `ok` (`rule` says which, e.g. "must be > 0"). */
export function number(flag: string, text: string | undefined, fallback: number, ok: (v: number) => boolean, rule: string): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v) || !ok(v)) throw new UsageError(`invalid --${flag} "${text}" (${rule})`);
  return v;
}

/** One of `valid`, case-insensitive. */
export function oneOf<V extends string>(flag: string, text: string, valid: readonly V[], what = "value"): V {
  const v = text.trim().toLowerCase();
  if (!(valid as readonly string[]).includes(v)) throw new UsageError(`invalid --${flag} "${text}": unknown ${what} (valid: ${valid.join(", ")})`);
  return v as V;
}

/** A comma-separated list of names from `valid` (at least one). */
export function listOf<V extends string>(flag: string, text: string, valid: readonly V[], what = "value"): V[] {
  const names = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) throw new UsageError(`invalid --${flag} "${text}": names no ${what} (valid: ${valid.join(", ")})`);
  return names.map((name) => oneOf(flag, name, valid, what));
}

/** NAME=VALUE pairs (comma-separated and/or repeated), e.g. --lr adam=3e-4,sgd=0.05: names from `valid`, values positive numbers. */
export function namedNumbers(flag: string, texts: readonly string[], valid: readonly string[], what: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pair of texts.flatMap((t) => t.split(",")).map((s) => s.trim()).filter((s) => s !== "")) {
    const [name, value, extra] = pair.split("=");
    if (value === undefined || extra !== undefined) throw new UsageError(`invalid --${flag} "${pair}" (expected NAME=VALUE, e.g. ${valid[0]}=0.01)`);
    out.set(oneOf(flag, name, valid, what), number(flag, value, NaN, (v) => v > 0, `${name}'s value must be a positive number`));
  }
  return out;
}
