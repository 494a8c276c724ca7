// The method table is complete and typed: each Tensor method calls its op, and a wrong signature fails `npm run typecheck`.

import { describe, expect, it } from "vitest";
import { pow, sum, tensor, type Tensor } from "../src/index.ts";
import { methodTable, type MethodTable } from "../src/tensor/methods.ts";

describe("Tensor methods", () => {
  it("installs every entry of the table on the prototype", () => {
    const x = tensor([1, 2]);
    for (const name of Object.keys(methodTable)) expect(typeof (x as unknown as Record<string, unknown>)[name], name).toBe("function");
    expect(x.pow(2).toArray()).toEqual(pow(x, 2).toArray());
    expect(x.T.toArray()).toEqual([1, 2]);
  });

  it("rejects a wrong signature at type-check time", () => {
    const wrong: Partial<MethodTable> = {
      // @ts-expect-error pow takes a number exponent, not a string
      pow(this: Tensor, exponent: string) { return pow(this, Number(exponent)); },
      // @ts-expect-error sum returns a Tensor, not a number
      sum(this: Tensor) { return sum(this).item(); },
      // @ts-expect-error matmul takes a Tensor (numbers are not matrices)
      matmul(this: Tensor, other: number) { return this.mul(other); },
    };
    // @ts-expect-error a table without add is incomplete
    const incomplete: MethodTable = { ...methodTable, add: undefined };
    expect(Object.keys(wrong)).toHaveLength(3);
    expect(incomplete.add).toBeUndefined();
  });
});
