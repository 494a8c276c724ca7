// The race's map on a canvas: banded log-contours of the surface, every racer's path, off-frame markers and NAG's look-ahead.

import { noGrad, tensor } from "../../src/browser.ts";
import type { Race } from "./race.ts";
import type { Surface } from "./surfaces.ts";

/** Grid points per side of the contour field. */
const GRID = 300;
/** Colour bands per decade of f − min f. */
const BANDS_PER_DECADE = 3;

export interface Overlay {
  colors: Map<string, string>;
  /** The racer whose update is inspected: drawn thicker. */
  inspected: string | null;
  /** NAG's look-ahead point for the inspected racer at this step, if any. */
  lookAhead: [number, number] | null;
}

export class ContourMap {
  private field: HTMLCanvasElement = document.createElement("canvas");
  private surface: Surface | null = null;

  constructor(readonly canvas: HTMLCanvasElement) {}

  /** Recomputes the banded field: f on a GRID×GRID grid in one call of the surface's own function. */
  setSurface(surface: Surface, dark: boolean): void {
    this.surface = surface;
    const { x: [x0, x1], y: [y0, y1] } = surface.domain;
    const xs = new Float64Array(GRID * GRID);
    const ys = new Float64Array(GRID * GRID);
    for (let j = 0; j < GRID; j++) {
      for (let i = 0; i < GRID; i++) {
        xs[j * GRID + i] = x0 + ((i + 0.5) / GRID) * (x1 - x0);
        ys[j * GRID + i] = y1 - ((j + 0.5) / GRID) * (y1 - y0);
      }
    }
    const values = noGrad(() => surface.f(tensor(xs, { shape: [GRID * GRID] }), tensor(ys, { shape: [GRID * GRID] })).values());
    let lo = Infinity;
    for (const v of values) if (Number.isFinite(v)) lo = Math.min(lo, v);
    const level = (v: number) => Math.log10(v - lo + 1e-3);
    let hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) hi = Math.max(hi, level(v));
    const bottom = level(lo);
    this.field.width = GRID;
    this.field.height = GRID;
    const ctx = this.field.getContext("2d")!;
    const image = ctx.createImageData(GRID, GRID);
    for (let k = 0; k < values.length; k++) {
      const u = Number.isFinite(values[k]) ? (level(values[k]) - bottom) / Math.max(hi - bottom, 1e-9) : 1;
      // Flat bands: each is one colour, so their edges are the contour lines.
      const bands = Math.max(1, Math.ceil((hi - bottom) * BANDS_PER_DECADE));
      const band = Math.min(Math.floor(u * bands), bands - 1);
      const [r, g, b] = ramp((band + 0.5) / bands, band % 2 === 0 ? 1 : dark ? 0.85 : 0.94, dark);
      image.data.set([r, g, b, 255], k * 4);
    }
    ctx.putImageData(image, 0, 0);
  }

  /** Canvas pixel → (x, y) on the surface. */
  toWorld(px: number, py: number): [number, number] {
    const { x: [x0, x1], y: [y0, y1] } = this.surface!.domain;
    return [x0 + (px / this.canvas.width) * (x1 - x0), y1 - (py / this.canvas.height) * (y1 - y0)];
  }

  private toPixel(x: number, y: number): [number, number] {
    const { x: [x0, x1], y: [y0, y1] } = this.surface!.domain;
    return [((x - x0) / (x1 - x0)) * this.canvas.width, ((y1 - y) / (y1 - y0)) * this.canvas.height];
  }

  draw(race: Race, step: number, overlay: Overlay): void {
    const surface = this.surface!;
    const ctx = this.canvas.getContext("2d")!;
    const { width: W, height: H } = this.canvas;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.field, 0, 0, W, H);
    const scale = W / 600;
    if (surface.minimum !== null) {
      const [mx, my] = this.toPixel(...surface.minimum);
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2 * scale;
      star(ctx, mx, my, 7 * scale);
    }
    const [sx, sy] = this.toPixel(...race.start);
    ctx.fillStyle = "#fff";
    ctx.fillRect(sx - 4 * scale, sy - 4 * scale, 8 * scale, 8 * scale);
    for (const racer of race.racers) {
      const color = overlay.colors.get(racer.name) ?? "#000";
      const n = Math.min(step, racer.points.length - 1);
      ctx.strokeStyle = color;
      ctx.lineWidth = (racer.name === overlay.inspected ? 3 : 2) * scale;
      ctx.beginPath();
      for (let t = 0; t <= n; t++) {
        const [px, py] = this.clampFar(this.toPixel(racer.points[t].x, racer.points[t].y));
        if (t === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
      const last = racer.points[n];
      const [px, py] = this.toPixel(last.x, last.y);
      if (px >= 0 && px <= W && py >= 0 && py <= H) {
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.arc(px, py, 5 * scale, 0, 2 * Math.PI);
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 1.5 * scale;
        ctx.stroke();
      } else {
        this.offFrameMarker(ctx, px, py, color, scale);
      }
    }
    if (overlay.lookAhead !== null) {
      const [lx, ly] = this.toPixel(...overlay.lookAhead);
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2 * scale;
      ctx.setLineDash([4 * scale, 3 * scale]);
      ctx.beginPath();
      ctx.arc(lx, ly, 8 * scale, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  /** Far-away points drawn at a bounded distance, so that canvas paths stay finite. */
  private clampFar([px, py]: [number, number]): [number, number] {
    const { width: W, height: H } = this.canvas;
    const c = (v: number, size: number) => (Number.isFinite(v) ? Math.min(Math.max(v, -10 * size), 11 * size) : v > 0 ? 11 * size : -10 * size);
    return [c(px, W), c(py, H)];
  }

  /** A point outside the frame: an arrow on the border pointing towards it, in the racer's colour. */
  private offFrameMarker(ctx: CanvasRenderingContext2D, px: number, py: number, color: string, scale: number): void {
    const { width: W, height: H } = this.canvas;
    const cx = W / 2;
    const cy = H / 2;
    const dx = Number.isFinite(px) ? px - cx : 1;
    const dy = Number.isFinite(py) ? py - cy : 0;
    const k = Math.min(Math.abs((W / 2 - 12 * scale) / (dx || 1e-9)), Math.abs((H / 2 - 12 * scale) / (dy || 1e-9)));
    const bx = cx + dx * k;
    const by = cy + dy * k;
    const angle = Math.atan2(dy, dx);
    ctx.save();
    ctx.translate(bx, by);
    ctx.rotate(angle);
    ctx.fillStyle = color;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1.5 * scale;
    ctx.beginPath();
    ctx.moveTo(10 * scale, 0);
    ctx.lineTo(-6 * scale, -7 * scale);
    ctx.lineTo(-6 * scale, 7 * scale);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x - r, y);
  ctx.lineTo(x + r, y);
  ctx.moveTo(x, y - r);
  ctx.lineTo(x, y + r);
  ctx.stroke();
}

/** A perceptual ramp from the low (dark blue / deep) to the high (light) end, shaded per band. */
function ramp(u: number, shade: number, dark: boolean): [number, number, number] {
  const stops = dark
    ? [[22, 28, 72], [38, 74, 136], [42, 124, 150], [86, 164, 140], [180, 206, 128]]
    : [[37, 52, 148], [44, 127, 184], [65, 182, 196], [161, 218, 180], [255, 255, 204]];
  const x = Math.min(Math.max(u, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round((stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f) * shade)) as [number, number, number];
}
