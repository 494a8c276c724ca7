// How a SIMD twin of a loop over a row-major [outer, channels, inner] array (the norm kernels') moves
// it through the wasm memory: in blocks of whole samples, or of channels when a sample is large, with
// per-channel float64 tables beside them.

import { activeWasm } from "./backend.ts";
import type { FloatArray } from "./float-array.ts";
import { align64, type WasmRuntime } from "./wasm/runtime.ts";

/** Floats per pass of a twin through the wasm memory: whole samples [channels, inner] when one fits, else parts of one. */
export const TWIN_BLOCK = 1 << 20;

/** What a twin's pass takes at a time: the [outer, channels, inner] block of samples and channels from channel c on, contiguous from element `start`. */
export interface Block {
  start: number;
  outer: number;
  c: number;
  channels: number;
  inner: number;
}

/** The blocks of [outer, channels, inner], each at most TWIN_BLOCK floats, the largest first. */
function blocksOf(outer: number, channels: number, inner: number): Block[] {
  const blocks: Block[] = [];
  const sample = channels * inner;
  if (sample <= TWIN_BLOCK) {
    const samples = Math.floor(TWIN_BLOCK / sample);
    for (let o = 0; o < outer; o += samples) blocks.push({ start: o * sample, outer: Math.min(samples, outer - o), c: 0, channels, inner });
    return blocks;
  }
  const per = Math.max(1, Math.floor(TWIN_BLOCK / inner)), run = Math.min(inner, TWIN_BLOCK);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c += per) {
      for (let i = 0; i < inner; i += run) blocks.push({ start: (o * channels + c) * inner + i, outer: 1, c, channels: Math.min(per, channels - c), inner: Math.min(run, inner - i) });
    }
  }
  return blocks;
}

/**
 * Where a twin works in the wasm memory: its args record, per-channel float64 tables, and a slot per
 * input for one block of it. A pass copies the inputs' blocks into the slots and, when it writes,
 * slot 0 into the output after the kernel.
 */
export class TwinArea {
  readonly args: Int32Array;
  readonly tables: Float64Array[];
  private readonly slots: number[];
  private readonly blocks: Block[];
  /** Whether the slots still hold the inputs' only block (the next pass needs no copy). */
  private held = false;

  constructor(readonly rt: WasmRuntime, private readonly inputs: readonly Float32Array[], private readonly output: Float32Array | null, fields: number, tables: number, outer: number, channels: number, inner: number) {
    this.blocks = blocksOf(outer, channels, inner);
    const largest = this.blocks[0];
    const head = align64(4 * fields), table = align64(8 * channels), slot = align64(4 * largest.outer * largest.channels * largest.inner);
    const at = rt.scratch(head + tables * table + inputs.length * slot, false);
    this.args = new Int32Array(rt.f32.buffer, at, fields);
    this.tables = Array.from({ length: tables }, (_, t) => new Float64Array(rt.f32.buffer, at + head + t * table, channels));
    this.slots = inputs.map((_, s) => at + head + tables * table + s * slot);
  }

  /** The byte address of table t's entry for channel c. */
  table(t: number, c: number): number {
    return this.tables[t].byteOffset + 8 * c;
  }

  /** Runs `kernel` on each block, its record filled by `fill` (the slots' byte addresses in the inputs' order); `writes`: into slot 0, for the output. */
  pass(kernel: (args: number) => void, writes: boolean, fill: (args: Int32Array, block: Block, slots: readonly number[]) => void): void {
    const f32 = this.rt.f32;
    for (const b of this.blocks) {
      const length = b.outer * b.channels * b.inner;
      if (!this.held) this.inputs.forEach((a, s) => f32.set(a.subarray(b.start, b.start + length), this.slots[s] >> 2));
      fill(this.args, b, this.slots);
      kernel(this.args.byteOffset);
      if (writes) this.output!.set(f32.subarray(this.slots[0] >> 2, (this.slots[0] >> 2) + length), b.start);
    }
    this.held = this.blocks.length === 1 && !writes;
  }
}

/**
 * The area for a twin over [outer, channels, inner] with a record of `fields` and `tables` tables, or
 * null, leaving the work to the reference loop: on the js backend, when an array is not a
 * Float32Array, or for no elements.
 */
export function twinArea(inputs: readonly FloatArray[], output: FloatArray | null, fields: number, tables: number, outer: number, channels: number, inner: number): TwinArea | null {
  const rt = activeWasm();
  const float32 = (a: FloatArray | null): a is Float32Array => a instanceof Float32Array;
  if (!rt || outer * channels * inner === 0 || !inputs.every(float32) || (output !== null && !float32(output))) return null;
  return new TwinArea(rt, inputs, output, fields, tables, outer, channels, inner);
}
