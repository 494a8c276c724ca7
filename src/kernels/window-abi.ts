// What the sliding-window kernels and their SIMD twins (assembly/conv.ts, assembly/pool.ts) agree on:
// the fields of each twin's args record, a row of i32 at the address the twin receives (byte
// addresses of the arrays first, then sizes). Both tsc and AssemblyScript compile this file, so it
// holds enums only.

/** im2col / col2im: the image and the columns, then ConvGeometry's sizes and the group moved. */
export enum ColumnArgs { image, cols, n, c, h, w, groups, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, group, count }

/** Max pooling forward: the input, the output and the argmax (i32), then PoolGeometry's sizes. */
export enum MaxPoolArgs { image, out, argmax, planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow, count }
