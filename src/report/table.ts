// Plain-text tables for the terminal (box drawing) and for Markdown (README, CI summaries).

import { displayWidth, formatNumber } from "./format.ts";
import { checkArray, checkOptions, given } from "./check.ts";

export interface Column {
  header: string;
  /** Default: right if every non-empty cell of the column is a number, else left. */
  align?: "left" | "right";
  /** How a number cell of this column prints; default formatNumber (4 significant digits). */
  format?: (value: number) => string;
}

export type Cell = string | number | null | undefined;

export interface TableOptions {
  /** "box" (default) draws with Unicode lines; "markdown" gives a GitHub-flavoured pipe table. */
  style?: "box" | "markdown";
  /** A line printed above the table. */
  title?: string;
}

/**
 * Formats rows under headers, each column padded to its widest cell.
 *
 *   formatTable([{ header: "optimizer" }, { header: "loss" }], [["adam", 0.0712], ["sgd", 0.31]])
 *   ┌───────────┬────────┐
 *   │ optimizer │   loss │
 *   ├───────────┼────────┤
 *   │ adam      │ 0.0712 │
 *   │ sgd       │   0.31 │
 *   └───────────┴────────┘
 */
export function formatTable(columns: Column[], rows: Cell[][], options: TableOptions = {}): string {
  checkArray("formatTable", "columns", columns, '[{ header: "optimizer" }]').forEach((c, j) => {
    if (typeof (c as Column | null)?.header !== "string") throw new TypeError(`formatTable: columns[${j}] must be { header: string, align?, format? }, got ${given(c)}`);
  });
  checkArray("formatTable", "rows", rows, '[["adam", 0.07]]').forEach((row, i) => checkArray("formatTable", `rows[${i}]`, row, '["adam", 0.07]'));
  const style = checkOptions("formatTable", options, { style: true, title: true }, 'an object such as { title: "..." }').style ?? "box";
  if (style !== "box" && style !== "markdown") throw new RangeError(`formatTable: style must be "box" or "markdown", got ${given(style)}`);
  for (const [i, row] of rows.entries()) {
    if (row.length > columns.length) {
      throw new Error(`formatTable: row ${i} has ${row.length} cells but there are ${columns.length} columns`);
    }
  }
  // Markdown cells cannot hold a bare "|".
  const esc = style === "markdown" ? (s: string) => s.replace(/\|/g, "\\|") : (s: string) => s;
  const headers = columns.map((c) => esc(c.header));
  const text = rows.map((row) =>
    columns.map((col, j) => {
      const v = row[j];
      if (v === null || v === undefined) return "";
      return esc(typeof v === "number" ? (col.format ?? formatNumber)(v) : v);
    }),
  );
  const align = columns.map((col, j) => {
    if (col.align) return col.align;
    const cells = rows.map((r) => r[j]).filter((v) => v !== null && v !== undefined && v !== "");
    return cells.length > 0 && cells.every((v) => typeof v === "number") ? "right" : "left";
  });
  const widths = headers.map((h, j) =>
    Math.max(displayWidth(h), ...text.map((r) => displayWidth(r[j])), style === "markdown" ? 3 : 1),
  );
  const pad = (s: string, j: number) => {
    const fill = " ".repeat(widths[j] - displayWidth(s));
    return align[j] === "right" ? fill + s : s + fill;
  };
  const lines: string[] = [];
  if (options.title) lines.push(options.title);
  if (style === "markdown") {
    const line = (cells: string[]) => `| ${cells.map((c, j) => pad(c, j)).join(" | ")} |`;
    lines.push(line(headers));
    lines.push(`| ${widths.map((w, j) => (align[j] === "right" ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ")} |`);
    for (const r of text) lines.push(line(r));
  } else {
    const rule = (l: string, m: string, r: string) => l + widths.map((w) => "─".repeat(w + 2)).join(m) + r;
    const line = (cells: string[]) => `│ ${cells.map((c, j) => pad(c, j)).join(" │ ")} │`;
    lines.push(rule("┌", "┬", "┐"));
    lines.push(line(headers));
    lines.push(rule("├", "┼", "┤"));
    for (const r of text) lines.push(line(r));
    lines.push(rule("└", "┴", "┘"));
  }
  return lines.join("\n");
}
