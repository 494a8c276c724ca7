// The graph view: toDot of a small MLP's loss, drawn by Graphviz compiled to WebAssembly (@viz-js/viz).

import { manualSeed, nn, randn, toDot } from "../../src/browser.ts";
import { $, setPageState } from "./dom.ts";

export async function showGraph(): Promise<void> {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
  for (const [name, p] of model.namedParameters()) p.name = name;
  const x = randn([5, 4]);
  x.name = "x";
  const loss = nn.functional.crossEntropy(model.forward(x), [0, 2, 1, 1, 0]);
  $("#graph-code").textContent = "crossEntropy(Sequential(Linear(4, 8), ReLU(), Linear(8, 3)).forward(x), labels)";
  const { instance } = await import("@viz-js/viz");
  const viz = await instance();
  const svg = viz.renderSVGElement(toDot(loss));
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  $("#graph").replaceChildren(svg);
  setPageState("done");
}
