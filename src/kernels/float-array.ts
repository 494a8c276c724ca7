// The typed arrays a float tensor is stored in: the one definition every layer uses.

export type FloatArray = Float32Array | Float64Array;
