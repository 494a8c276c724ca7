// The playground's entry: reads the URL, starts ndgrad's kernels, says how many threads it has, and opens the view.

import { getBackend, getNumThreads, loadWasmKernels, optim } from "../../src/browser.ts";
import { NO_BIAS_CORRECTION } from "./adam-no-bias-correction.ts";
import { describeBackend } from "./backend-line.ts";
import { $, setPageState, showError } from "./dom.ts";
import { showGraph } from "./graph-view.ts";
import { MnistView } from "./mnist-view.ts";
import { RaceView } from "./race-view.ts";
import { parseState, type View } from "./url-state.ts";

const THEME_KEY = "ndgrad-playground-theme";

function isDark(): boolean {
  return document.documentElement.dataset.theme === "dark";
}

async function main(): Promise<void> {
  const saved = localStorage.getItem(THEME_KEY);
  document.documentElement.dataset.theme = saved === "light" || saved === "dark" ? saved : matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  $("#theme").addEventListener("click", () => {
    const next = isDark() ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    localStorage.setItem(THEME_KEY, next);
    raceView?.redrawTheme();
    mnistView?.draw();
  });

  try {
    await loadWasmKernels();
  } catch (e) {
    console.warn(`playground: the wasm kernels did not load (${(e as Error).message}); the JavaScript kernels run instead`);
  }
  const isolated = globalThis.crossOriginIsolated === true;
  const backend = $("#backend");
  backend.textContent = describeBackend("page", getBackend(), getNumThreads(), isolated);
  backend.dataset.isolated = String(isolated);

  const known = optim.available();
  if (!known.includes(NO_BIAS_CORRECTION)) throw new Error("playground: Adam without bias correction was not registered");
  const state = parseState(location.search, known);
  for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>("nav a"))) a.classList.toggle("active", a.dataset.view === state.view);
  const views: Record<View, () => void> = {
    race: () => {
      raceView = new RaceView(state, isDark);
      addEventListener("keydown", (e) => raceView!.onKey(e));
    },
    mnist: () => {
      mnistView = new MnistView(state);
    },
    graph: () => void showGraph(),
  };
  $(`#${state.view}-view`).hidden = false;
  views[state.view]();
}

let raceView: RaceView | undefined;
let mnistView: MnistView | undefined;

main().catch((e) => {
  showError(e);
  setPageState("ready");
});
