// Muon: momentum orthogonalized by Newton–Schulz iterations for weight matrices, AdamW for every other parameter (Jordan et al.).

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { gemm } from "../kernels/index.ts";
import { Optimizer, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { checkBetas, checkBoolean, checkInteger, checkEps, checkFinite, checkInRange, checkNonNegative, describe } from "./validate.ts";

export interface MuonOptions {
  /** η, the step of the orthogonalized update (default 0.02). */
  lr: number;
  /** μ, the momentum (default 0.95). */
  momentum: number;
  /** Orthogonalize the Nesterov look-ahead (1 − μ)·G + μ·B instead of B (default true). */
  nesterov: boolean;
  /** Newton–Schulz iterations (default 5). */
  nsSteps: number;
  /** [a, b, c] of the quintic iteration X ← a·X + (b·A + c·A²)·X, A = X·Xᵀ (default [3.4445, −4.775, 2.0315]). */
  nsCoefficients: [number, number, number];
  /** ε in the normalization G / (‖G‖F + ε) (default 1e-7). */
  eps: number;
  /** λ, decoupled weight decay for every parameter: θ ← θ·(1 − lr·λ), with its branch's lr (default 0). */
  weightDecay: number;
  /** The AdamW step size for parameters that are not matrices (default 3e-4). */
  adamLr: number;
  /** [β1, β2] of the AdamW fallback (default [0.9, 0.95]). */
  adamBetas: [number, number];
  /** ε of the AdamW fallback (default 1e-10). */
  adamEps: number;
}

export interface MuonState {
  step: number;
  /** The rows of the matrix view [shape[0], size / shape[0]] (matrices only). */
  rows?: number;
  /** B, the momentum buffer (matrices only). */
  momentumBuffer: FloatArray | null;
  /** m of the AdamW fallback (other parameters). */
  expAvg: FloatArray | null;
  /** v of the AdamW fallback (other parameters). */
  expAvgSq: FloatArray | null;
}

/**
 * Muon, "MomentUm Orthogonalized by Newton–Schulz" (Jordan, Jin, Boza, You, Cesista, Newhouse &
 * Bernstein, 2024, "Muon: An optimizer for hidden layers in neural networks",
 * kellerjordan.github.io/posts/muon, reference code github.com/KellerJordan/Muon). For a parameter
 * with 2+ dims, viewed as a matrix [A, B] = [shape[0], rest]:
 *
 *   Bt ← μ·Bt−1 + (1 − μ)·Gt                    (momentum, as an EMA)
 *   Mt ← (1 − μ)·Gt + μ·Bt   if nesterov, else Mt ← Bt
 *   X ← Mt / (‖Mt‖F + ε)                         (transposed if A > B, so X·Xᵀ is the small Gram matrix)
 *   repeat nsSteps times:                        (quintic Newton–Schulz: X → U·Vᵀ of X = U·S·Vᵀ, roughly)
 *     A ← X·Xᵀ;  B ← b·A + c·A²;  X ← a·X + B·X
 *   θt ← θt−1·(1 − η·λ) − η·√max(1, A/B)·X
 *
 * Every other parameter (biases, gains, scalars) takes an AdamW step with its own lr, betas and ε
 * (the "auxiliary Adam" of the reference's MuonWithAuxAdam):
 *
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   θ ← θ·(1 − ηadam·λ) − ηadam·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε)
 *
 * Convention notes: this follows the reference code (the blog post's update has no ε and no
 * shape factor). Its coefficients (3.4445, −4.775, 2.0315) trade exactness for speed: the singular
 * values land near 1 (roughly in [0.7, 1.2]), not on it. The reference iterates in bfloat16;
 * ndgrad iterates in the parameter's dtype (float32 by default, with float64 sums in the matrix
 * products), so results differ from it at bfloat16 precision. PyTorch's torch.optim.Muon (≥ 2.9)
 * has lr 1e-3 and weight decay 0.1 by default and refuses non-matrix parameters; ndgrad takes the
 * reference's defaults and routes those to AdamW. The reference recommends AdamW for embeddings and
 * the classifier head too; here a parameter is orthogonalized iff it has 2 or more dims.
 */
export class Muon extends Optimizer<MuonOptions, MuonState> {
  protected readonly stateSpec = { step: "number", rows: "number?", momentumBuffer: "buffer?", expAvg: "buffer?", expAvgSq: "buffer?" } as const;

  constructor(params: ParamsInput<MuonOptions>, options: Partial<MuonOptions> = {}) {
    super(params, options, {
      lr: 0.02,
      momentum: 0.95,
      nesterov: true,
      nsSteps: 5,
      nsCoefficients: [3.4445, -4.775, 2.0315],
      eps: 1e-7,
      weightDecay: 0,
      adamLr: 3e-4,
      adamBetas: [0.9, 0.95],
      adamEps: 1e-10,
    });
  }

  protected validate(o: MuonOptions): void {
    checkInRange("momentum", o.momentum, 0, 1, true);
    checkBoolean("nesterov", o.nesterov);
    checkInteger("nsSteps", o.nsSteps, 1);
    if (!Array.isArray(o.nsCoefficients) || o.nsCoefficients.length !== 3) throw new RangeError(`Invalid nsCoefficients value: ${describe(o.nsCoefficients)} (must be a triple [a, b, c])`);
    o.nsCoefficients.forEach((x, i) => checkFinite(`nsCoefficients[${i}]`, x));
    checkEps(o.eps);
    checkNonNegative("weightDecay", o.weightDecay);
    checkNonNegative("adamLr", o.adamLr);
    checkBetas(o.adamBetas, "adamBetas");
    checkNonNegative("adamEps", o.adamEps);
  }

  protected initState(p: Tensor): MuonState {
    if (p.ndim >= 2) return { step: 0, rows: p.shape[0], momentumBuffer: stateBuffer(p), expAvg: null, expAvgSq: null };
    return { step: 0, momentumBuffer: null, expAvg: stateBuffer(p), expAvgSq: stateBuffer(p) };
  }

  protected update(θ: FloatArray, offset: number, G: FloatArray, size: number, s: MuonState, group: ParamGroup<MuonOptions>): void {
    s.step += 1;
    if (s.momentumBuffer === null) return this.adamW(θ, offset, G, size, s, group);
    const { lr: η, momentum: μ, nesterov, nsSteps, nsCoefficients, eps: ε, weightDecay: λ } = group;
    const A = s.rows ?? 0;
    if (!(A > 0 && size % A === 0)) throw new RangeError(`${this.name}: the state's rows (${describe(s.rows)}) do not fit a parameter of ${size} elements; was it loaded for another parameter?`);
    const B = size / A;
    const buf = s.momentumBuffer;
    const M = scratchLike(θ, size);
    for (let i = 0; i < size; i++) {
      buf[i] = μ * buf[i] + (1 - μ) * G[i];
      M[i] = nesterov ? (1 - μ) * G[i] + μ * buf[i] : buf[i];
    }
    const X = newtonSchulz(M, A, B, nsSteps, nsCoefficients, ε);
    const scale = Math.sqrt(Math.max(1, A / B));
    for (let i = 0; i < size; i++) {
      θ[offset + i] *= 1 - η * λ;
      θ[offset + i] -= η * scale * X[i];
    }
  }

  /** The AdamW step for a parameter that is not a matrix. */
  private adamW(θ: FloatArray, offset: number, g: FloatArray, n: number, s: MuonState, group: ParamGroup<MuonOptions>): void {
    const { adamLr: η, adamBetas: [β1, β2], adamEps: ε, weightDecay: λ } = group;
    const m = s.expAvg;
    const v = s.expAvgSq;
    if (m === null || v === null) throw new RangeError(`${this.name}: the state of a ${n}-element parameter has neither a momentum buffer nor AdamW moments`);
    const bc1 = 1 - β1 ** s.step;
    const bc2 = 1 - β2 ** s.step;
    for (let i = 0; i < n; i++) {
      m[i] = β1 * m[i] + (1 - β1) * g[i];
      v[i] = β2 * v[i] + (1 - β2) * g[i] * g[i];
      θ[offset + i] *= 1 - η * λ;
      θ[offset + i] -= (η * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + ε);
    }
  }
}

/**
 * The quintic Newton–Schulz iteration on the [rows, cols] matrix M (row-major): X ← M/(‖M‖F + ε),
 * then `steps` times A ← X·Xᵀ, B ← b·A + c·A², X ← a·X + B·X, on the wide orientation (Xᵀ when
 * rows > cols). Returns X in M's layout, in M's element type.
 */
export function newtonSchulz(M: FloatArray, rows: number, cols: number, steps: number, [a, b, c]: readonly number[], ε: number): FloatArray {
  const tall = rows > cols;
  const [k, l] = tall ? [cols, rows] : [rows, cols];
  let norm = 0;
  for (let i = 0; i < M.length; i++) norm += M[i] * M[i];
  const scale = 1 / (Math.sqrt(norm) + ε);
  let X = scratchLike(M, k * l);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) X[tall ? j * l + i : i * l + j] = M[i * cols + j] * scale;
  let next = scratchLike(M, k * l);
  const Agram = scratchLike(M, k * k);
  const A2 = scratchLike(M, k * k);
  const matmul = (m: number, n: number, kk: number, x: FloatArray, ldx: number, y: FloatArray, ldy: number, transY: boolean, out: FloatArray, accumulate: boolean) =>
    gemm({ m, n, k: kk, a: x, aOffset: 0, lda: ldx, transA: false, b: y, bOffset: 0, ldb: ldy, transB: transY, c: out, cOffset: 0, ldc: n, accumulate });
  for (let step = 0; step < steps; step++) {
    matmul(k, k, l, X, l, X, l, true, Agram, false);              // A ← X·Xᵀ
    matmul(k, k, k, Agram, k, Agram, k, false, A2, false);        // A²
    for (let i = 0; i < k * k; i++) A2[i] = b * Agram[i] + c * A2[i]; // B ← b·A + c·A²
    for (let i = 0; i < k * l; i++) next[i] = a * X[i];
    matmul(k, l, k, A2, k, X, l, false, next, true);              // X ← a·X + B·X
    [X, next] = [next, X];
  }
  if (!tall) return X;
  const out = scratchLike(M, rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = X[j * l + i];
  return out;
}

/** A plain temporary array of the element type of `like` (not its class: parameter storage may be a view of the wasm memory). */
function scratchLike(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}
