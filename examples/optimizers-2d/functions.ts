// The 2-D test functions of the optimizer race, written with ndgrad tensors so backward() gives their gradients.

import { allocate, fromArray, fromOp, mul, type Tensor } from "../../src/index.ts";

/**
 * A function of two coordinates. `f` is elementwise in x and y, so the same definition gives the
 * loss of the race (x and y are one-element leaves) and the contour grid (x and y hold every grid
 * point): the picture cannot disagree with what the optimizers saw.
 */
export interface TestFunction {
  name: string;
  /** The formula, for titles and the table heading. */
  formula: string;
  f(x: Tensor, y: Tensor): Tensor;
  start: [number, number];
  /** The global minimum; null for the saddle, which has none. */
  minimum: [number, number] | null;
  /** f at the minimum (0 for the saddle, the value at its stationary point). */
  fMin: number;
  /** The plotted window. */
  domain: { x: [number, number]; y: [number, number] };
  /** Steps of the race and of the lr search. */
  steps: number;
  /**
   * Contour levels: "log" spaces them evenly in log10(f − fMin) (valleys of a minimum span many
   * decades); "symlog" in sign(f)·log10(1 + |f|/c) for the saddle, whose values take both signs.
   */
  levels: "log" | "symlog";
  /** The saddle only: |y| above this counts as having left the ridge y = 0. */
  ridgeThreshold?: number;
}

/** cos(x), elementwise: the one op Rastrigin needs that the core lacks. d cos(x)/dx = −sin(x). */
export function cos(x: Tensor): Tensor {
  const src = x.values();
  const out = allocate(x.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.cos(src[i]);
  return fromOp("cos", out, x.shape, [x], (g) => [mul(g, negSin(x))]);
}

/** −sin(x) as a constant: cos is only differentiated once here (no double backward). */
function negSin(x: Tensor): Tensor {
  const src = x.values();
  const out = allocate(x.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = -Math.sin(src[i]);
  return fromArray(out, x.shape);
}

/** Rosenbrock (1960): a curved, flat-bottomed valley; finding it is easy, following it to (1, 1) is not. */
export const rosenbrock: TestFunction = {
  name: "rosenbrock",
  formula: "(1 − x)² + 100·(y − x²)²",
  f: (x, y) => x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100)),
  start: [-2, 2],
  minimum: [1, 1],
  fMin: 0,
  domain: { x: [-2.5, 2.5], y: [-1.5, 4.5] },
  steps: 2000,
  levels: "log",
};

/** Beale: flat plateaus and steep walls, minimum 0 at (3, 0.5). */
export const beale: TestFunction = {
  name: "beale",
  formula: "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
  f: (x, y) => {
    const term = (c: number, yk: Tensor) => x.neg().add(c).add(x.mul(yk)).pow(2);
    return term(1.5, y).add(term(2.25, y.pow(2))).add(term(2.625, y.pow(3)));
  },
  start: [1, 1.5],
  minimum: [3, 0.5],
  fMin: 0,
  domain: { x: [-1, 4.5], y: [-1.5, 2.5] },
  steps: 1000,
  levels: "log",
};

/**
 * The saddle x² − y², started on the ridge: y = 1e-3, where the gradient along the escape
 * direction is only 2·|y| = 2e-3. The stationary point (0, 0) is a saddle, not a minimum.
 */
export const saddle: TestFunction = {
  name: "saddle",
  formula: "x² − y²",
  f: (x, y) => x.pow(2).sub(y.pow(2)),
  start: [1, 1e-3],
  minimum: null,
  fMin: 0,
  domain: { x: [-1.5, 1.5], y: [-1.5, 1.5] },
  steps: 200,
  levels: "symlog",
  ridgeThreshold: 0.1,
};

/**
 * x² + κ·y²: curvatures 2 and 2κ, so the condition number of the Hessian is κ. Plain gradient
 * descent must take lr < 1/κ for the stiff direction and then crawls along the flat one.
 */
export function quadratic(kappa = 10): TestFunction {
  if (!(kappa >= 1) || !Number.isFinite(kappa)) throw new RangeError(`quadratic: condition number ${kappa} (must be a finite number >= 1)`);
  return {
    name: "quadratic",
    formula: `x² + ${kappa}·y²`,
    f: (x, y) => x.pow(2).add(y.pow(2).mul(kappa)),
    start: [-2.5, 1.5],
    minimum: [0, 0],
    fMin: 0,
    domain: { x: [-3, 3], y: [-2, 2] },
    steps: 500,
    levels: "log",
  };
}

/** Rastrigin (A = 10): a bowl covered in a lattice of local minima; the global one is (0, 0). */
export const rastrigin: TestFunction = {
  name: "rastrigin",
  formula: "20 + x² − 10·cos(2πx) + y² − 10·cos(2πy)",
  f: (x, y) => x.pow(2).sub(cos(x.mul(2 * Math.PI)).mul(10)).add(y.pow(2).sub(cos(y.mul(2 * Math.PI)).mul(10))).add(20),
  start: [-2.3, 2.1],
  minimum: [0, 0],
  fMin: 0,
  domain: { x: [-3, 3], y: [-3, 3] },
  steps: 500,
  levels: "log",
};

/** The functions by name, in the order they are raced; `kappa` sets the quadratic's condition number. */
export function testFunctions(kappa = 10): TestFunction[] {
  return [rosenbrock, beale, saddle, quadratic(kappa), rastrigin];
}

export const FUNCTION_NAMES = ["rosenbrock", "beale", "saddle", "quadratic", "rastrigin"] as const;
