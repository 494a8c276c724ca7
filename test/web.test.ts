// The playground in a real browser: Debian's chromium driven by playwright-core, the built site served with COOP/COEP on 127.0.0.1.
// The race's numbers are checked against the same race run here by ndgrad's public API; screenshots land in the test's temp
// folder (and in NDGRAD_SCREENSHOTS, e.g. docs/images, when set: `npm run screenshots:web`).

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optim, tensor, type backendInfo, type Tensor } from "../src/index.ts";
import { ISOLATION_HEADERS } from "../web/isolation.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "web/dist");
const CHROMIUM = "/usr/bin/chromium";
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".svg": "image/svg+xml" };

const shots = mkdtempSync(join(tmpdir(), "ndgrad-web-"));
let server: Server;
let base = "";
let context: BrowserContext;

/** web/dist over HTTP; paths under /plain/ are served without COOP/COEP (a page that is not cross-origin isolated). */
function serve(): Promise<string> {
  server = createServer((req, res) => {
    let path = decodeURIComponent((req.url ?? "/").split("?")[0]);
    const plain = path.startsWith("/plain/");
    if (plain) path = path.slice("/plain".length);
    const file = normalize(join(dist, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", ...(plain ? {} : ISOLATION_HEADERS) });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`);
  execFileSync(join(root, "node_modules/.bin/vite"), ["build", "web", "--logLevel", "warn"], { cwd: root, stdio: "inherit", timeout: 240_000 });
  base = await serve();
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "ndgrad-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
}, 300_000);

afterAll(async () => {
  await context?.close();
  server?.close();
  console.log(`web.test: screenshots in ${shots}`);
});

/** A page that records its errors: uncaught exceptions and console.error both fail the test that opened it. */
async function open(query: string, options: { path?: string; viewport?: { width: number; height: number }; dark?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console.error: ${m.text()}`);
  });
  if (options.viewport) await page.setViewportSize(options.viewport);
  await page.emulateMedia({ colorScheme: options.dark ? "dark" : "light" });
  await page.goto(`${base}${options.path ?? "/"}${query}`);
  return { page, errors };
}

async function waitDone(page: Page, timeout: number): Promise<void> {
  await page.waitForSelector('html[data-state="done"]', { timeout });
}

/** Saves a screenshot of the page (or of one element) into the temp folder, and into NDGRAD_SCREENSHOTS when set. */
async function shoot(page: Page, name: string, element?: string, forDocs = true): Promise<void> {
  const file = join(shots, `playground-${name}.png`);
  if (element === undefined) await page.screenshot({ path: file });
  else await page.locator(element).screenshot({ path: file });
  const keep = process.env.NDGRAD_SCREENSHOTS;
  if (keep && forDocs) {
    mkdirSync(join(root, keep), { recursive: true });
    copyFileSync(file, join(root, keep, `playground-${name}.png`));
  }
}

const rosenbrock = (x: Tensor, y: Tensor) => x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));

/** The race in Node through the public API: float64 leaves, optim.create, zeroGrad/backward/step. */
function nodeRace(name: string, lr: number, start: [number, number], steps: number) {
  const x = tensor([start[0]], { dtype: "float64", requiresGrad: true });
  const y = tensor([start[1]], { dtype: "float64", requiresGrad: true });
  const opt = optim.create(name, [x, y], { lr });
  for (let t = 0; t < steps; t++) {
    opt.zeroGrad();
    rosenbrock(x, y).sum().backward();
    opt.step();
  }
  return { x: x.item(), y: y.item(), f: rosenbrock(x, y).item(), opt, params: [x, y] };
}

async function cell(page: Page, selector: string): Promise<number> {
  const text = await page.locator(selector).textContent();
  const v = Number(text);
  if (text === null || text.trim() === "" || !Number.isFinite(v)) expect.fail(`${selector} holds ${JSON.stringify(text)}, not a number`);
  return v;
}

describe("the optimizer playground in chromium", () => {
  it("runs the URL's race to its last step, with the final positions of ndgrad in Node", async () => {
    const { page, errors } = await open("?surface=rosenbrock&optimizers=sgd,adam&lr=sgd:0.001,adam:0.1&start=-2,2&steps=300&autoplay=1");
    await waitDone(page, 120_000);
    expect(await page.locator("#race-results tr[data-optimizer]").count()).toBe(2);
    for (const [name, lr] of [["sgd", 0.001], ["adam", 0.1]] as const) {
      const want = nodeRace(name, lr, [-2, 2], 300);
      const row = `#race-results tr[data-optimizer="${name}"]`;
      expect(await cell(page, `${row} [data-col="x"]`)).toBeCloseTo(want.x, 3);
      expect(await cell(page, `${row} [data-col="y"]`)).toBeCloseTo(want.y, 3);
      expect(Math.abs((await cell(page, `${row} [data-col="f"]`)) - want.f)).toBeLessThan(1e-3 * Math.max(1, Math.abs(want.f)));
    }
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    await shoot(page, "race-contract", undefined, false);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("shows Adam's m̂ and v̂ at step 3 as ndgrad's state in Node has them", async () => {
    const { page, errors } = await open("?surface=rosenbrock&optimizers=adam&lr=adam:0.1&start=-2,2&steps=3&autoplay=1&inspect=adam");
    await waitDone(page, 60_000);
    const { opt, params } = nodeRace("adam", 0.1, [-2, 2], 3);
    const [β1, β2] = (opt.paramGroups[0] as unknown as { betas: [number, number] }).betas;
    const coords = ["x", "y"] as const;
    for (let k = 0; k < 2; k++) {
      const s = opt.state.get(params[k]) as unknown as { step: number; expAvg: Float64Array; expAvgSq: Float64Array };
      expect(s.step).toBe(3);
      const read = async (term: string) => Number(await page.locator(`#terms td[data-term="${term}"][data-coord="${coords[k]}"]`).getAttribute("data-value"));
      if (k === 0) expect(await read("step")).toBe(3); // t, a number of the state, shown once
      expect(await read("mhat")).toBeCloseTo(s.expAvg[0] / (1 - β1 ** 3), 6);
      expect(await read("vhat")).toBeCloseTo(s.expAvgSq[0] / (1 - β2 ** 3), 6);
      expect(await read("expAvg")).toBeCloseTo(s.expAvg[0], 6);
    }
    expect(await page.locator("#rule").textContent()).toContain("θ ← θ − α·m̂ / (√v̂ + ε)");
    await page.locator("#show-epsilon").check();
    await shoot(page, "inspector-adam", "#inspector");
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("trains the MNIST race in a worker on more than one thread, pauses at once, and reaches 85% after 200 Adam steps", async () => {
    // threads=2: more than one thread even where the machine reports one core.
    const { page, errors } = await open("?demo=mnist&optimizers=adam&steps=200&autoplay=1&threads=2");
    const kernelWorkers = () => page.workers().filter((w) => /worker-browser/.test(w.url())).length;
    await page.waitForFunction(() => /step (\d+)/.test(document.querySelector("#mnist-status")?.textContent ?? "") && Number(/step (\d+)/.exec(document.querySelector("#mnist-status")!.textContent!)![1]) >= 20, null, { timeout: 120_000 });
    await page.click("#mnist-pause");
    const latency = Number(await page.locator("#mnist-pause").getAttribute("data-latency-ms"));
    expect(latency).toBeLessThan(200);
    await page.waitForSelector('#mnist-status[data-state="paused"]', { timeout: 30_000 });
    const pausedAt = await page.locator("#mnist-status").textContent();
    await page.waitForTimeout(500);
    expect(await page.locator("#mnist-status").textContent()).toBe(pausedAt);
    await page.click("#mnist-pause");
    await waitDone(page, 300_000);
    const accuracy = await cell(page, '#mnist-results tr[data-optimizer="adam"] [data-col="accuracy"]');
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(Number(await page.locator("#backend").getAttribute("data-worker-threads"))).toBeGreaterThan(1);
    expect(await page.locator("#backend").getAttribute("data-worker-backend")).toBe("wasm");
    expect(kernelWorkers()).toBeGreaterThanOrEqual(1);
    // The worker's backendInfo(), the truth rather than the request: wasm, workers that started, threads that run.
    const info = JSON.parse((await page.locator("#backend").getAttribute("data-backend-info"))!) as ReturnType<typeof backendInfo>;
    expect(info).toMatchObject({ backend: "wasm", simd: true, crossOriginIsolated: true, workerFailure: null });
    expect(info.workersStarted).toBeGreaterThan(0);
    expect(info.threads).toBeGreaterThan(1);
    await shoot(page, "mnist-adam", "#mnist-view", false);
    expect(errors).toEqual([]);
    await page.close();
  }, 360_000);

  it("races four optimizers on MNIST fairly: the same first loss (same weights, same first batch), each above 80%", async () => {
    const { page, errors } = await open("?demo=mnist&optimizers=sgd,momentum,rmsprop,adam&steps=200&autoplay=1");
    await waitDone(page, 300_000);
    const rows = await page.locator("#mnist-results tr[data-optimizer]").evaluateAll((trs) => trs.map((tr) => ({
      name: (tr as HTMLElement).dataset.optimizer,
      first: Number(tr.querySelector('[data-col="first-loss"]')!.textContent),
      accuracy: Number(tr.querySelector('[data-col="accuracy"]')!.textContent),
    })));
    expect(rows.map((r) => r.name)).toEqual(["sgd", "momentum", "rmsprop", "adam"]);
    for (const r of rows) {
      expect(r.first, r.name).toBe(rows[0].first);
      expect(r.accuracy, r.name).toBeGreaterThan(0.8);
    }
    expect(rows[0].first).toBeGreaterThan(2); // about ln 10 for an untrained 10-class net
    await shoot(page, "mnist", "#mnist-view");
    expect(errors).toEqual([]);
    await page.close();
  }, 360_000);

  it("races the seven optimizers of the notes, exports the paths as on screen, and steps with the keyboard", async () => {
    const { page, errors } = await open("?surface=rosenbrock&steps=300&speed=600&autoplay=1&inspect=nag");
    await waitDone(page, 120_000);
    const names = await page.locator("#race-results tr[data-optimizer]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.optimizer));
    expect(names).toEqual(["sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam"]);
    await shoot(page, "race");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    const exported = JSON.parse(readFileSync((await download.path())!, "utf8")) as { steps: number; racers: { optimizer: string; points: { x: number; y: number; f: number }[] }[] };
    expect(exported.steps).toBe(300);
    for (const racer of exported.racers) {
      const last = racer.points[racer.points.length - 1];
      const shown = await cell(page, `#race-results tr[data-optimizer="${racer.optimizer}"] [data-col="x"]`);
      expect(Math.abs(shown - last.x)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(last.x))); // the table shows 7 digits
    }
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    const lines = readFileSync((await csv.path())!, "utf8").trim().split("\n");
    expect(lines[0]).toBe("optimizer,t,x,y,f,gx,gy");
    expect(lines.length).toBe(1 + exported.racers.reduce((n, r) => n + r.points.length, 0));
    await page.keyboard.press("ArrowLeft");
    expect(await page.locator("#step-label").textContent()).toBe("299");
    expect(page.url()).toContain("step=299");
    await page.keyboard.press("Shift+ArrowLeft");
    expect(await page.locator("#step-label").textContent()).toBe("289");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // a focused button keeps its space
    await page.keyboard.press(" ");
    await waitDone(page, 60_000);
    expect(await page.locator("#step-label").textContent()).toBe("300");
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("puts Adagrad next to RMSprop: Adagrad's step size only shrinks, RMSprop's recovers", async () => {
    const { page, errors } = await open("?surface=quadratic&kappa=20&angle=30");
    await page.click("#preset-adagrad-rmsprop");
    expect(await page.locator("#race-results tr[data-optimizer]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.optimizer))).toEqual(["adagrad", "rmsprop"]);
    await page.click("#play");
    await waitDone(page, 60_000);
    const rate = async (name: string, step: number) => {
      await page.selectOption("#inspect", name);
      await page.locator("#timeline").fill(String(step));
      return Number(await page.locator('#terms td[data-term="rate"][data-coord="x"]').getAttribute("data-value"));
    };
    const steps = [10, 50, 100, 200, 300];
    const adagrad = [];
    const rmsprop = [];
    for (const t of steps) adagrad.push(await rate("adagrad", t));
    for (const t of steps) rmsprop.push(await rate("rmsprop", t));
    for (let k = 1; k < steps.length; k++) expect(adagrad[k], `Adagrad at step ${steps[k]}`).toBeLessThanOrEqual(adagrad[k - 1]);
    expect(rmsprop[4]).toBeGreaterThan(2 * Math.min(...rmsprop));
    await shoot(page, "adagrad-rmsprop", "#inspector");
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("draws the computation graph of an MLP's loss", async () => {
    const { page, errors } = await open("?demo=graph");
    await waitDone(page, 60_000);
    const text = await page.locator("#graph svg").textContent();
    for (const node of ["crossEntropy", "relu", "0.weight", "2.bias", "x"]) expect(text).toContain(node);
    await shoot(page, "graph", "#graph-view");
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("works on one thread without cross-origin isolation, and says so; differentiates a typed-in f", async () => {
    // SGD on f = x² + 3y² from (1, 1): x ← (1 − 2η)·x, y ← (1 − 6η)·y.
    const { page, errors } = await open(`?surface=custom&formula=${encodeURIComponent("x^2 + 3*y^2")}&optimizers=sgd&lr=sgd:0.1&start=1,1&steps=10&speed=400&autoplay=1`, { path: "/plain/" });
    await waitDone(page, 60_000);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
    expect(await page.locator("#backend").textContent()).toMatch(/one thread: this page is not cross-origin isolated/);
    expect(await cell(page, '#race-results tr[data-optimizer="sgd"] [data-col="x"]')).toBeCloseTo(0.8 ** 10, 6);
    expect(await cell(page, '#race-results tr[data-optimizer="sgd"] [data-col="y"]')).toBeCloseTo(0.4 ** 10, 6);
    await page.goto(`${base}/plain/?demo=mnist&optimizers=sgd&steps=5&autoplay=1`);
    await waitDone(page, 120_000);
    expect(await page.locator("#backend").textContent()).toMatch(/^training worker: JavaScript kernels on one thread: this page is not cross-origin isolated/);
    expect(await cell(page, '#mnist-results tr[data-optimizer="sgd"] [data-col="accuracy"]')).toBeGreaterThan(0.3);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("fits a phone and has a dark theme", async () => {
    const { page, errors } = await open("?surface=saddle&optimizers=sgd,momentum,nag,adagrad,rmsprop,adam&steps=120&speed=600&autoplay=1&inspect=nag", { viewport: { width: 390, height: 844 }, dark: true });
    await waitDone(page, 60_000);
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const wide = Array.from(document.querySelectorAll("body *")).filter((el) => el.getBoundingClientRect().right > width + 1 && el.closest("table") === null);
      return wide.map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${el.className}`).slice(0, 5);
    });
    expect(overflow).toEqual([]);
    await shoot(page, "phone-dark");
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("rejects a bad URL with a message naming the parameter", async () => {
    const { page } = await open("?surface=rosenbrock&optimizers=adam,nope");
    await expect.poll(() => page.locator("#error").textContent()).toContain('unknown optimizer "nope"');
    await page.close();
  }, 60_000);
});
