// Max-shifted softmax and log-softmax along one axis of a row-major array seen as [outer, n, inner].

import type { FloatArray } from "./float-array.ts";

/**
 * out = softmax(x) or log_softmax(x) along the middle axis. Subtracting the maximum first keeps
 * exp() in range: no Inf or NaN for logits of ±1e4.
 */
export function softmaxAxis(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number, logForm: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, x[base + j * inner]);
      if (max === -Infinity) max = 0;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(x[base + j * inner] - max);
      const logSum = Math.log(sum);
      for (let j = 0; j < n; j++) {
        const shifted = x[base + j * inner] - max;
        out[base + j * inner] = logForm ? shifted - logSum : Math.exp(shifted) / sum;
      }
    }
  }
}

/** Sums along the middle axis of [outer, n, inner] in float64: out has outer·inner entries. */
export function sumAxis(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number): void {
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    const base = o * n * inner;
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[row + i];
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
  }
}
