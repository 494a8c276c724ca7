// What the normalization kernels and their SIMD twins (src/kernels/norm.ts, assembly/norm.ts) agree on:
// the fields of each twin's args record, a row of i32 at the address the twin receives. Arrays are
// byte addresses: a block of float32 samples [outer, channels, inner], or a per-channel float64 table.
// Both tsc and AssemblyScript compile this file, so it holds enums only.

/** Moments about a center K[c]: sum[c] += Σ (x − K[c]), squares[c] += Σ (x − K[c])². */
export enum MomentArgs { x, outer, channels, inner, center, sum, squares, count }

/** The affine parameters' gradients, unscaled: sumG[c] += Σ g, sumGD[c] += Σ g·(x − mean[c]). */
export enum GradSumArgs { g, x, outer, channels, inner, mean, sumG, sumGD, count }

/** y = x·a[c] + b[c] (y may be x). */
export enum AffineArgs { x, y, outer, channels, inner, a, b, count }

/** dx = k[c]·(g − meanG[c] − (x − mean[c])·invStd[c]·meanGX[c]) (dx may be g). */
export enum NormBackwardArgs { g, x, dx, outer, channels, inner, mean, invStd, k, meanG, meanGX, count }
