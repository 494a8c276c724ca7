// A small line chart on a canvas (axes, ticks, one line per series, a legend), for the step sizes and the MNIST curves.

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

export interface ChartOptions {
  logY?: boolean;
  /** The x axis ends here at least (the race's last step), so lines grow into a fixed frame. */
  xMax?: number;
  yMin?: number;
  yMax?: number;
  yFormat?: (v: number) => string;
}

export function drawLineChart(canvas: HTMLCanvasElement, series: Series[], options: ChartOptions = {}): void {
  fitToBox(canvas);
  const ctx = canvas.getContext("2d")!;
  const { width: W, height: H } = canvas;
  const style = getComputedStyle(canvas);
  const ink = style.getPropertyValue("--ink").trim() || "#222";
  const faint = style.getPropertyValue("--faint").trim() || "#ccc";
  ctx.clearRect(0, 0, W, H);
  const pad = { left: 58, right: 12, top: 10, bottom: 26 };
  const ty = (v: number) => (options.logY ? Math.log10(v) : v);
  const usable = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(ty(y)));
  const xMax = Math.max(options.xMax ?? 1, ...usable.map(([x]) => x));
  let lo = options.yMin ?? Math.min(...usable.map(([, y]) => ty(y)));
  let hi = options.yMax ?? Math.max(...usable.map(([, y]) => ty(y)));
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const px = (x: number) => pad.left + (x / xMax) * (W - pad.left - pad.right);
  const py = (y: number) => H - pad.bottom - ((ty(y) - lo) / (hi - lo)) * (H - pad.top - pad.bottom);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = ink;
  ctx.strokeStyle = faint;
  ctx.lineWidth = 1;
  const format = options.yFormat ?? ((v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(3))));
  for (let k = 0; k <= 4; k++) {
    const level = lo + ((hi - lo) * k) / 4;
    const value = options.logY ? 10 ** level : level;
    const y = py(value);
    ctx.beginPath();
    ctx.moveTo(pad.left, y);
    ctx.lineTo(W - pad.right, y);
    ctx.stroke();
    ctx.textAlign = "right";
    ctx.fillText(format(value), pad.left - 4, y + 4);
  }
  ctx.textAlign = "center";
  const xTicks = new Set(Array.from({ length: 5 }, (_, k) => Math.round((xMax * k) / 4)));
  for (const x of xTicks) ctx.fillText(String(x), px(x), H - 8);
  ctx.save();
  ctx.beginPath();
  ctx.rect(pad.left, pad.top, W - pad.left - pad.right, H - pad.top - pad.bottom);
  ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(ty(y))) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(px(x), py(y));
      else ctx.moveTo(px(x), py(y));
      pen = true;
    }
    ctx.stroke();
  }
  ctx.restore();
  ctx.textAlign = "left";
  let lx = pad.left + 6;
  for (const s of series) {
    ctx.fillStyle = s.color;
    ctx.fillRect(lx, pad.top + 4, 10, 10);
    ctx.fillStyle = ink;
    ctx.fillText(s.name, lx + 14, pad.top + 13);
    lx += ctx.measureText(s.name).width + 30;
  }
}

/** Gives the canvas as many pixels as it is wide on screen (its width/height attributes set the aspect ratio, once). */
function fitToBox(canvas: HTMLCanvasElement): void {
  canvas.dataset.aspect ??= String(canvas.height / canvas.width);
  const width = Math.round(canvas.clientWidth);
  if (width > 0 && canvas.width !== width) {
    canvas.width = width;
    canvas.height = Math.round(width * Number(canvas.dataset.aspect));
  }
}
