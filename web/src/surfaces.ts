// The 2-D surfaces of the race, written with ndgrad tensors: backward() gives the gradient each optimizer sees.

import type { Tensor } from "../../src/browser.ts";
import { parseFormula } from "./formula.ts";
import { beale, rastrigin, rosenbrock, saddle, type TestFunction } from "../../examples/optimizers-2d/functions.ts";

export interface SurfaceParams {
  /** Condition number κ of the quadratic. */
  kappa: number;
  /** Rotation of the quadratic's axes, in degrees. */
  angle: number;
  /** The typed-in f(x, y). */
  formula: string;
}

export const DEFAULT_PARAMS: SurfaceParams = { kappa: 10, angle: 0, formula: "x^2 + 3*y^2 + sin(2*x)" };

/**
 * A function of two coordinates, elementwise in x and y: the same definition gives the loss of a
 * racer (one-element leaves) and the contour grid (every grid point at once).
 */
export interface Surface {
  name: string;
  formula: string;
  f(x: Tensor, y: Tensor): Tensor;
  start: [number, number];
  /** The global minimum, or null (the saddle has none; a typed-in f is not known). */
  minimum: [number, number] | null;
  /** The plotted window. */
  domain: { x: [number, number]; y: [number, number] };
  /** Steps a race runs by default. */
  steps: number;
  /** Learning rates that suit this surface better than the page's usual 2-D ones (by optimizer). */
  lr?: Record<string, number>;
}

type SurfaceMaker = (p: SurfaceParams) => Surface;

/** A test function of examples/optimizers-2d (its formula and f, written once there) with the page's start, window, steps and lrs. */
function fromExample(fn: TestFunction, page: Omit<Surface, "name" | "formula" | "f">): Surface {
  return { name: fn.name, formula: fn.formula, f: fn.f, ...page };
}

const SURFACES: Record<string, SurfaceMaker> = {
  saddle: () => fromExample(saddle, {
    start: [1.5, 1e-3],
    minimum: null,
    domain: { x: [-2, 2], y: [-2, 2] },
    steps: 150,
    lr: { sgd: 0.01, momentum: 0.01, nag: 0.01 },
  }),
  rosenbrock: () => fromExample(rosenbrock, {
    start: [-2, 2],
    minimum: [1, 1],
    domain: { x: [-2.5, 2.5], y: [-1.5, 4.5] },
    steps: 500,
    // The first gradient is about 1,600 long: NAG's look-ahead overshoots at 1e-3. The adaptive
    // methods' lrs are the best of a few on a 500-step run (none reaches (1, 1) in 500 steps).
    lr: { nag: 5e-4, adagrad: 1, rmsprop: 0.05, adam: 0.2, adamw: 0.2, nadam: 0.2, adamax: 0.5 },
  }),
  beale: () => fromExample(beale, {
    start: [1, 1.5],
    minimum: [3, 0.5],
    domain: { x: [-1, 4.5], y: [-1.5, 2.5] },
    steps: 500,
    lr: { adagrad: 1, rmsprop: 0.03, adam: 0.1, nadam: 0.1, adamax: 0.5 },
  }),
  quadratic: ({ kappa, angle }) => {
    const c = Math.cos((angle * Math.PI) / 180);
    const s = Math.sin((angle * Math.PI) / 180);
    return {
      name: "quadratic",
      formula: `½·(u² + κ·v²), κ = ${kappa}, axes turned ${angle}°`,
      // u and v are x and y in the turned axes; adaptive methods scale x and y, not u and v.
      f: (x, y) => {
        const u = x.mul(c).add(y.mul(s));
        const v = y.mul(c).sub(x.mul(s));
        return u.pow(2).add(v.pow(2).mul(kappa)).mul(0.5);
      },
      start: [-4, 3],
      minimum: [0, 0],
      domain: { x: [-5, 5], y: [-5, 5] },
      steps: 200,
      // Stable for plain gradient descent up to lr 2/κ.
      lr: { sgd: 1 / kappa, momentum: 0.1 / kappa, nag: 0.1 / kappa, adam: 0.1, adamw: 0.1, nadam: 0.1, adamax: 0.1 },
    };
  },
  rastrigin: () => fromExample(rastrigin, {
    start: [-4.2, 3.7],
    minimum: [0, 0],
    domain: { x: [-5.12, 5.12], y: [-5.12, 5.12] },
    steps: 300,
  }),
  custom: ({ formula }) => ({
    name: "custom",
    formula: `f(x, y) = ${formula}`,
    f: parseFormula(formula),
    start: [-2, 2],
    minimum: null,
    domain: { x: [-3, 3], y: [-3, 3] },
    steps: 300,
  }),
};

/** The surface names, in the order of the menu. */
export const SURFACE_NAMES = Object.keys(SURFACES);

/** The surface called `name`; throws naming the valid ones. */
export function makeSurface(name: string, params: SurfaceParams): Surface {
  const make = SURFACES[name];
  if (make === undefined) throw new RangeError(`unknown surface "${name}" (valid: ${SURFACE_NAMES.join(", ")})`);
  return make(params);
}
