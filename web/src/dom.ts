// Small DOM helpers shared by the views.

/** The element matching `selector`; throws naming it when the page lacks it. */
export function $(selector: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(selector);
  if (el === null) throw new Error(`playground: no element ${selector} in the page`);
  return el;
}

/** A number as plain text (no grouping), to `digits` significant digits, trailing zeros dropped. */
export function formatNumber(v: number, digits = 7): string {
  if (!Number.isFinite(v)) return String(v);
  return String(+v.toPrecision(digits));
}

/** `<html data-state>`: loading, ready, running, paused, done (the tests wait for "done"). */
export function setPageState(state: "loading" | "ready" | "running" | "paused" | "done"): void {
  document.documentElement.dataset.state = state;
}

/** Shows a message in the page's alert line (bad URL parameters, a formula that does not parse, a failed worker). */
export function showError(e: unknown): void {
  const box = $("#error");
  box.textContent = e instanceof Error ? e.message : String(e);
  box.hidden = false;
}
