// toDot: the autograd graph of a tensor in Graphviz DOT, for teaching and debugging.

import { fmt, given, Tensor } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";

export interface ToDotOptions {
  /** Graph title (default "ndgrad"). */
  title?: string;
}

/**
 * The graph that backward() would walk from `root`: one box per op (name and output shape),
 * one ellipse per leaf (its name if it has one, its shape, and whether it requires a gradient).
 * Edges point from inputs to the op that uses them. Call it before backward(), which releases
 * the graph.
 */
export function toDot(root: Tensor, options: ToDotOptions = {}): string {
  if (!(root instanceof Tensor)) throw new TypeError(`toDot: root must be a Tensor (e.g. a loss), got ${given(root, true)}`);
  const { title = "ndgrad" } = checkOptions("toDot", options, { title: true });
  const ids = new Map<Tensor, string>();
  const idOf = (t: Tensor): string => {
    if (!ids.has(t)) ids.set(t, `n${ids.size}`);
    return ids.get(t)!;
  };
  const lines: string[] = [];
  const edges: string[] = [];
  const stack: Tensor[] = [root];
  const seen = new Set<Tensor>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const node = idOf(t);
    const shape = fmt(t.shape);
    if (t.gradFn) {
      const released = t.gradFn.backward === null ? " (released)" : "";
      lines.push(`  ${node} [shape=box, style="rounded,filled", fillcolor="#dbe9f6", label=${quote(`${t.gradFn.op}${released}\n${shape}`)}];`);
      for (const input of t.gradFn.inputs) {
        edges.push(`  ${idOf(input)} -> ${node};`);
        stack.push(input);
      }
    } else {
      const label = `${t.name ?? (t.requiresGrad ? "leaf" : "constant")}\n${shape}${t.requiresGrad ? "\nrequiresGrad" : ""}`;
      const fill = t.requiresGrad ? "#fde2b8" : "#eeeeee";
      lines.push(`  ${node} [shape=ellipse, style=filled, fillcolor="${fill}", label=${quote(label)}];`);
    }
  }
  return [`digraph ${quote(title)} {`, "  rankdir=BT;", '  node [fontname="Helvetica"];', ...lines, ...edges, "}", ""].join("\n");
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
