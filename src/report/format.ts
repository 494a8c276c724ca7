// Number and text formatting shared by the tables, progress bars and charts.

import { checkInteger, checkNumber } from "./check.ts";

/** Non-finite values print the same way everywhere, so a diverged run reads the same in every view. */
function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  return undefined;
}

/** Fixed-point: formatFixed(0.123456, 4) → "0.1235". */
export function formatFixed(x: number, digits = 4): string {
  checkNumber("formatFixed", "x", x);
  checkInteger("formatFixed", "digits", digits, 0);
  return nonFinite(x) ?? x.toFixed(digits);
}

/** Exponent form without the "+" and padding: formatExp(0.001) → "1e-3", formatExp(0.00025, 1) → "2.5e-4". */
export function formatExp(x: number, digits = 2): string {
  checkNumber("formatExp", "x", x);
  checkInteger("formatExp", "digits", digits, 0);
  const bad = nonFinite(x);
  if (bad !== undefined) return bad;
  const [mantissa, exp] = x.toExponential(digits).split("e");
  // "1.00" → "1", "2.50" → "2.5": learning rates read better without trailing zeros.
  const m = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
  return `${m}e${exp.replace("+", "")}`;
}

/** A fraction as a percentage: formatPercent(0.97812) → "97.81%". */
export function formatPercent(x: number, digits = 2): string {
  checkNumber("formatPercent", "x", x);
  checkInteger("formatPercent", "digits", digits, 0);
  return nonFinite(x) ?? `${(x * 100).toFixed(digits)}%`;
}

/** An integer with thousands separators: formatInteger(12345.6) → "12,346". */
export function formatInteger(x: number): string {
  checkNumber("formatInteger", "x", x);
  return nonFinite(x) ?? Math.round(x).toLocaleString("en-US");
}

/** A duration in seconds: "0.84 s", "12.3 s", "2m 05s", "1h 02m". */
export function formatSeconds(s: number): string {
  checkNumber("formatSeconds", "s", s);
  const bad = nonFinite(s);
  if (bad !== undefined) return bad;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  return `${m}m ${String(sec).padStart(2, "0")}s`;
}

/**
 * A number in whichever form is shortest to read: integers as they are, very small or very large
 * values in exponent form (learning rates like 1e-3), anything else to `significant` digits.
 */
export function formatNumber(x: number, significant = 4): string {
  checkNumber("formatNumber", "x", x);
  checkInteger("formatNumber", "significant", significant, 1);
  const bad = nonFinite(x);
  if (bad !== undefined) return bad;
  if (x === 0) return "0";
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return formatExp(x, significant - 1);
  return String(Number(x.toPrecision(significant)));
}

// Matches the ANSI escape sequences used for colour (CSI ... m) and cursor control (CSI, ESC 7/8).
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g;

/** Removes ANSI colour codes, e.g. before writing terminal text to a file. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Width of text in terminal columns, ignoring colour codes (every code point counts as one column). */
export function displayWidth(text: string): number {
  return [...stripAnsi(text)].length;
}

/** Whether colour output suits a stream: a TTY, and the user did not opt out (https://no-color.org). */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}
