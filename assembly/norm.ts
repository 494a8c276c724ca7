// Batch and layer norm's per-channel loops in WebAssembly SIMD, twins of the reference loops in
// src/kernels/norm.ts over the same [outer, channels, inner] layout: float32 in the wasm memory, every
// sum and product in float64 as in the reference (each four float32 lanes as two f64x2).

import { AffineArgs as AA, GradSumArgs as GA, MomentArgs as MA, NormBackwardArgs as BA } from "../src/kernels/norm-abi";

@inline function arg(a: usize, f: i32): i32 {
  return load<i32>(a + (<usize>f << 2));
}

@inline function address(a: usize, f: i32): usize {
  return <usize>arg(a, f);
}

/** Entry c of the per-channel float64 table at t. */
@inline function entry(t: usize, c: i32): f64 {
  return load<f64>(t + (<usize>c << 3));
}

/** Lanes 0 and 1 of four float32 lanes, as float64. */
@inline function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2 and 3 of four float32 lanes, as float64. */
@inline function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Two float64 pairs rounded to four float32 lanes, lo's first. */
@inline function narrow(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

@inline function total(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** channelMoments' sums about a center K (MomentArgs): sum[c] += Σ (x − K[c]), squares[c] += Σ (x − K[c])². */
export function channelMoments(a: usize): void {
  const x = address(a, MA.x);
  channelSums(x, x, arg(a, MA.outer), arg(a, MA.channels), arg(a, MA.inner), address(a, MA.center), address(a, MA.sum), address(a, MA.squares), true);
}

/** channelAffineGrads' sums before the scaling by σ⁻¹ (GradSumArgs): sumG[c] += Σ g, sumGD[c] += Σ g·(x − mean[c]). */
export function channelGradSums(a: usize): void {
  channelSums(address(a, GA.g), address(a, GA.x), arg(a, GA.outer), arg(a, GA.channels), arg(a, GA.inner), address(a, GA.mean), address(a, GA.sumG), address(a, GA.sumGD), false);
}

/**
 * Per channel c, with d = x − center[c] and u = d (`moments`) or u = g: first[c] += Σ u and
 * second[c] += Σ u·d over the channel's elements. Along each run of `inner`, eight elements a step
 * in four pairs of float64 sums (one pair would wait on its own additions); with inner = 1 (batch
 * norm of [N, C]), four channels a step down the samples.
 */
@inline function channelSums(g: usize, x: usize, outer: i32, channels: i32, inner: i32, center: usize, first: usize, second: usize, moments: bool): void {
  const stride = <usize>(channels * inner) << 2, run = <usize>(inner & ~3) << 2;
  let c = 0;
  if (inner == 1) {
    for (; c + 4 <= channels; c += 4) {
      const t = <usize>c << 3, kLo = v128.load(center + t), kHi = v128.load(center + t, 16);
      let s0 = f64x2.splat(0), s1 = s0, q0 = s0, q1 = s0;
      for (let at = <usize>c << 2, end = at + <usize>outer * stride; at < end; at += stride) {
        const v = v128.load(x + at);
        const d0 = f64x2.sub(low(v), kLo), d1 = f64x2.sub(high(v), kHi);
        let u0 = d0, u1 = d1;
        if (!moments) {
          const w = v128.load(g + at);
          u0 = low(w); u1 = high(w);
        }
        s0 = f64x2.add(s0, u0); s1 = f64x2.add(s1, u1);
        q0 = f64x2.add(q0, f64x2.mul(u0, d0)); q1 = f64x2.add(q1, f64x2.mul(u1, d1));
      }
      v128.store(first + t, f64x2.add(v128.load(first + t), s0));
      v128.store(first + t, f64x2.add(v128.load(first + t, 16), s1), 16);
      v128.store(second + t, f64x2.add(v128.load(second + t), q0));
      v128.store(second + t, f64x2.add(v128.load(second + t, 16), q1), 16);
    }
    for (; c < channels; c++) sumTails(g, x, outer, channels, inner, c, entry(center, c), first, second, moments);
    return;
  }
  for (; c < channels; c++) {
    const k = f64x2.splat(entry(center, c));
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    for (let o = 0; o < outer; o++) {
      const at = <usize>o * stride + (<usize>(c * inner) << 2);
      const xs = x + at, gs = g + at;
      let i: usize = 0;
      for (; i + 32 <= run; i += 32) {
        const x0 = v128.load(xs + i), x1 = v128.load(xs + i, 16);
        const d0 = f64x2.sub(low(x0), k), d1 = f64x2.sub(high(x0), k), d2 = f64x2.sub(low(x1), k), d3 = f64x2.sub(high(x1), k);
        let u0 = d0, u1 = d1, u2 = d2, u3 = d3;
        if (!moments) {
          const g0 = v128.load(gs + i), g1 = v128.load(gs + i, 16);
          u0 = low(g0); u1 = high(g0); u2 = low(g1); u3 = high(g1);
        }
        s0 = f64x2.add(s0, u0); s1 = f64x2.add(s1, u1); s2 = f64x2.add(s2, u2); s3 = f64x2.add(s3, u3);
        q0 = f64x2.add(q0, f64x2.mul(u0, d0)); q1 = f64x2.add(q1, f64x2.mul(u1, d1));
        q2 = f64x2.add(q2, f64x2.mul(u2, d2)); q3 = f64x2.add(q3, f64x2.mul(u3, d3));
      }
      if (i < run) {
        const x0 = v128.load(xs + i);
        const d0 = f64x2.sub(low(x0), k), d1 = f64x2.sub(high(x0), k);
        let u0 = d0, u1 = d1;
        if (!moments) {
          const g0 = v128.load(gs + i);
          u0 = low(g0); u1 = high(g0);
        }
        s0 = f64x2.add(s0, u0); s1 = f64x2.add(s1, u1);
        q0 = f64x2.add(q0, f64x2.mul(u0, d0)); q1 = f64x2.add(q1, f64x2.mul(u1, d1));
      }
    }
    const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)), q = f64x2.add(f64x2.add(q0, q1), f64x2.add(q2, q3));
    store<f64>(first + (<usize>c << 3), entry(first, c) + total(s));
    store<f64>(second + (<usize>c << 3), entry(second, c) + total(q));
    if ((inner & 3) != 0) sumTails(g, x, outer, channels, inner, c, entry(center, c), first, second, moments);
  }
}

/** channelSums over the last inner % 4 elements of each of channel c's runs, one at a time. */
function sumTails(g: usize, x: usize, outer: i32, channels: i32, inner: i32, c: i32, center: f64, first: usize, second: usize, moments: bool): void {
  let s: f64 = 0, q: f64 = 0;
  for (let o = 0; o < outer; o++) {
    const row = o * channels + c;
    for (let i = row * inner + (inner & ~3), end = (row + 1) * inner; i < end; i++) {
      const at = <usize>i << 2;
      const d = <f64>load<f32>(x + at) - center;
      const u = moments ? d : <f64>load<f32>(g + at);
      s += u;
      q += u * d;
    }
  }
  store<f64>(first + (<usize>c << 3), entry(first, c) + s);
  store<f64>(second + (<usize>c << 3), entry(second, c) + q);
}

/** normalizeChannels' loop (AffineArgs): y = x·a[c] + b[c] in float64, rounded once to float32 as the reference. */
export function affineChannels(args: usize): void {
  const x = address(args, AA.x), y = address(args, AA.y), a = address(args, AA.a), b = address(args, AA.b);
  const outer = arg(args, AA.outer), channels = arg(args, AA.channels), inner = arg(args, AA.inner);
  if (inner == 1) {
    // Four channels a step along each sample.
    const vectors = <usize>(channels & ~3) << 2, row = <usize>channels << 2;
    for (let o = 0; o < outer; o++) {
      const xs = x + <usize>o * row, ys = y + <usize>o * row;
      for (let j: usize = 0; j < vectors; j += 16) {
        const t = j << 1;
        v128.store(ys + j, affine4(v128.load(xs + j), v128.load(a + t), v128.load(a + t, 16), v128.load(b + t), v128.load(b + t, 16)));
      }
      for (let c = channels & ~3; c < channels; c++) affine1(xs, ys, <usize>c << 2, entry(a, c), entry(b, c));
    }
    return;
  }
  const run = <usize>(inner & ~3) << 2, tail = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const start = <usize>((o * channels + c) * inner) << 2, xs = x + start, ys = y + start;
      const ac = entry(a, c), bc = entry(b, c), av = f64x2.splat(ac), bv = f64x2.splat(bc);
      let i: usize = 0;
      for (; i < run; i += 16) v128.store(ys + i, affine4(v128.load(xs + i), av, av, bv, bv));
      for (; i < tail; i += 4) affine1(xs, ys, i, ac, bc);
    }
  }
}

/** Four lanes of y = x·a + b, a and b for lanes 0 and 1 in aLo and bLo, for lanes 2 and 3 in aHi and bHi. */
@inline function affine4(v: v128, aLo: v128, aHi: v128, bLo: v128, bHi: v128): v128 {
  return narrow(f64x2.add(f64x2.mul(low(v), aLo), bLo), f64x2.add(f64x2.mul(high(v), aHi), bHi));
}

@inline function affine1(xs: usize, ys: usize, at: usize, a: f64, b: f64): void {
  store<f32>(ys + at, <f32>(<f64>load<f32>(xs + at) * a + b));
}

/**
 * normalizeBackward's loop once the sums are known (NormBackwardArgs):
 * dx = k·(g − meanG − (x − mean)·invStd·meanGX) per channel, in the reference's order of operations.
 */
export function normalizeBackward(args: usize): void {
  const g = address(args, BA.g), x = address(args, BA.x), dx = address(args, BA.dx);
  const outer = arg(args, BA.outer), channels = arg(args, BA.channels), inner = arg(args, BA.inner);
  const mean = address(args, BA.mean), invStd = address(args, BA.invStd), gain = address(args, BA.k);
  const gradMean = address(args, BA.meanG), productMean = address(args, BA.meanGX);
  if (inner == 1) {
    // Four channels a step along each sample.
    const vectors = <usize>(channels & ~3) << 2, row = <usize>channels << 2;
    for (let o = 0; o < outer; o++) {
      const at = <usize>o * row, gs = g + at, xs = x + at, dxs = dx + at;
      for (let j: usize = 0; j < vectors; j += 16) {
        const t = j << 1, gv = v128.load(gs + j), xv = v128.load(xs + j);
        const lo = backward2(low(gv), low(xv), v128.load(mean + t), v128.load(invStd + t), v128.load(gain + t), v128.load(gradMean + t), v128.load(productMean + t));
        const hi = backward2(high(gv), high(xv), v128.load(mean + t, 16), v128.load(invStd + t, 16), v128.load(gain + t, 16), v128.load(gradMean + t, 16), v128.load(productMean + t, 16));
        v128.store(dxs + j, narrow(lo, hi));
      }
      for (let c = channels & ~3; c < channels; c++) {
        backward1(gs, xs, dxs, <usize>c << 2, entry(mean, c), entry(invStd, c), entry(gain, c), entry(gradMean, c), entry(productMean, c));
      }
    }
    return;
  }
  const run = <usize>(inner & ~3) << 2, tail = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const start = <usize>((o * channels + c) * inner) << 2, gs = g + start, xs = x + start, dxs = dx + start;
      const mu = entry(mean, c), r = entry(invStd, c), k = entry(gain, c), mg = entry(gradMean, c), mgx = entry(productMean, c);
      const muv = f64x2.splat(mu), rv = f64x2.splat(r), kv = f64x2.splat(k), mgv = f64x2.splat(mg), mgxv = f64x2.splat(mgx);
      let i: usize = 0;
      for (; i < run; i += 16) {
        const gv = v128.load(gs + i), xv = v128.load(xs + i);
        v128.store(dxs + i, narrow(backward2(low(gv), low(xv), muv, rv, kv, mgv, mgxv), backward2(high(gv), high(xv), muv, rv, kv, mgv, mgxv)));
      }
      for (; i < tail; i += 4) backward1(gs, xs, dxs, i, mu, r, k, mg, mgx);
    }
  }
}

/** Two float64 lanes of dx = k·(g − meanG − (x − mean)·invStd·meanGX). */
@inline function backward2(g: v128, x: v128, mean: v128, invStd: v128, k: v128, meanG: v128, meanGX: v128): v128 {
  return f64x2.mul(k, f64x2.sub(f64x2.sub(g, meanG), f64x2.mul(f64x2.mul(f64x2.sub(x, mean), invStd), meanGX)));
}

@inline function backward1(gs: usize, xs: usize, dxs: usize, at: usize, mean: f64, invStd: f64, k: f64, meanG: f64, meanGX: f64): void {
  store<f32>(dxs + at, <f32>(k * (<f64>load<f32>(gs + at) - meanG - (<f64>load<f32>(xs + at) - mean) * invStd * meanGX)));
}
