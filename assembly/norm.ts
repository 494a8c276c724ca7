// Batch and layer norm's per-channel loops in WebAssembly SIMD, twins of the reference loops in
// src/kernels/norm.ts over the same [outer, channels, inner] layout: float32 in the wasm memory, every
// sum and product in float64 as in the reference (each four float32 lanes as two f64x2).

import { AffineArgs as AA, GradSumArgs as GA, MomentArgs as MA, NormBackwardArgs as BA } from "../src/kernels/norm-abi";
import { arg } from "./args";

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

/**
 * A per-channel table's float64 pair for lanes 0 and 1 (or 2 and 3 if `upper`) of the four lanes at
 * channel c: four channels when `across` (inner = 1), else four elements of channel c.
 */
@inline function lanes(t: usize, c: i32, across: bool, upper: bool): v128 {
  return across ? v128.load(t + (<usize>c << 3) + (upper ? 16 : 0)) : f64x2.splat(entry(t, c));
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
 * second[c] += Σ u·d over the channel's elements, in float64 pairs. Four lanes are four elements
 * of a run of `inner`, or with inner = 1 (batch norm of [N, C]) four channels of a sample; the last
 * inner % 4 elements of each run, or the last channels % 4 channels, go one at a time.
 */
@inline function channelSums(g: usize, x: usize, outer: i32, channels: i32, inner: i32, center: usize, first: usize, second: usize, moments: bool): void {
  const across = inner == 1;
  const stride = <usize>(channels * inner) << 2, vectors = across ? 1 : inner >> 2;
  const groups = across ? channels >> 2 : channels;
  for (let group = 0; group < groups; group++) {
    const c = across ? group << 2 : group, t = <usize>c << 3;
    const kLo = lanes(center, c, across, false), kHi = lanes(center, c, across, true);
    let s0 = f64x2.splat(0), s1 = s0, q0 = s0, q1 = s0;
    for (let o = 0; o < outer; o++) {
      let at = <usize>o * stride + (<usize>(c * inner) << 2);
      for (let j = 0; j < vectors; j++, at += 16) {
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
    }
    if (across) {
      v128.store(first + t, f64x2.add(v128.load(first + t), s0));
      v128.store(first + t, f64x2.add(v128.load(first + t, 16), s1), 16);
      v128.store(second + t, f64x2.add(v128.load(second + t), q0));
      v128.store(second + t, f64x2.add(v128.load(second + t, 16), q1), 16);
    } else {
      store<f64>(first + t, entry(first, c) + total(f64x2.add(s0, s1)));
      store<f64>(second + t, entry(second, c) + total(f64x2.add(q0, q1)));
    }
  }
  if (across) for (let c = channels & ~3; c < channels; c++) sumTails(g, x, outer, channels, inner, c, entry(center, c), first, second, moments);
  else if ((inner & 3) != 0) for (let c = 0; c < channels; c++) sumTails(g, x, outer, channels, inner, c, entry(center, c), first, second, moments);
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
  const across = inner == 1, vectors = across ? 1 : inner >> 2, groups = across ? channels >> 2 : channels;
  for (let o = 0; o < outer; o++) {
    for (let group = 0; group < groups; group++) {
      const c = across ? group << 2 : group;
      const aLo = lanes(a, c, across, false), aHi = lanes(a, c, across, true), bLo = lanes(b, c, across, false), bHi = lanes(b, c, across, true);
      let at = <usize>((o * channels + c) * inner) << 2;
      for (let j = 0; j < vectors; j++, at += 16) {
        const v = v128.load(x + at);
        v128.store(y + at, narrow(f64x2.add(f64x2.mul(low(v), aLo), bLo), f64x2.add(f64x2.mul(high(v), aHi), bHi)));
      }
    }
    for (let c = across ? channels & ~3 : 0; c < channels; c++) {
      const ac = entry(a, c), bc = entry(b, c);
      for (let i = (o * channels + c) * inner + (inner & ~3), end = (o * channels + c + 1) * inner; i < end; i++) {
        const at = <usize>i << 2;
        store<f32>(y + at, <f32>(<f64>load<f32>(x + at) * ac + bc));
      }
    }
  }
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
  const across = inner == 1, vectors = across ? 1 : inner >> 2, groups = across ? channels >> 2 : channels;
  for (let o = 0; o < outer; o++) {
    for (let group = 0; group < groups; group++) {
      const c = across ? group << 2 : group;
      const muLo = lanes(mean, c, across, false), rLo = lanes(invStd, c, across, false), kLo = lanes(gain, c, across, false);
      const mgLo = lanes(gradMean, c, across, false), mgxLo = lanes(productMean, c, across, false);
      const muHi = lanes(mean, c, across, true), rHi = lanes(invStd, c, across, true), kHi = lanes(gain, c, across, true);
      const mgHi = lanes(gradMean, c, across, true), mgxHi = lanes(productMean, c, across, true);
      let at = <usize>((o * channels + c) * inner) << 2;
      for (let j = 0; j < vectors; j++, at += 16) {
        const gv = v128.load(g + at), xv = v128.load(x + at);
        v128.store(dx + at, narrow(
          f64x2.mul(kLo, f64x2.sub(f64x2.sub(low(gv), mgLo), f64x2.mul(f64x2.mul(f64x2.sub(low(xv), muLo), rLo), mgxLo))),
          f64x2.mul(kHi, f64x2.sub(f64x2.sub(high(gv), mgHi), f64x2.mul(f64x2.mul(f64x2.sub(high(xv), muHi), rHi), mgxHi))),
        ));
      }
    }
    for (let c = across ? channels & ~3 : 0; c < channels; c++) {
      const mu = entry(mean, c), r = entry(invStd, c), k = entry(gain, c), mg = entry(gradMean, c), mgx = entry(productMean, c);
      for (let i = (o * channels + c) * inner + (inner & ~3), end = (o * channels + c + 1) * inner; i < end; i++) {
        const at = <usize>i << 2;
        store<f32>(dx + at, <f32>(k * (<f64>load<f32>(g + at) - mg - (<f64>load<f32>(x + at) - mu) * r * mgx)));
      }
    }
  }
}
