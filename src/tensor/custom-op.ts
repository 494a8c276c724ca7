// fromOp and viewOp as the public API offers them: for ops written outside ndgrad.

import { fromOp as ownOp, viewOp as ownViewOp, type Tensor } from "./tensor.ts";

/**
 * The output of a custom op, as tensor.ts's fromOp. Its backward may keep the gradient it gets or
 * return arrays it keeps, so backward never recycles those (GradFn.recycles).
 */
export function fromOp(...args: Parameters<typeof ownOp>): Tensor {
  return custom(ownOp(...args));
}

/** The output of a custom view op, as tensor.ts's viewOp, with the same caution as fromOp. */
export function viewOp(...args: Parameters<typeof ownViewOp>): Tensor {
  return custom(ownViewOp(...args));
}

function custom(out: Tensor): Tensor {
  if (out.gradFn !== null) out.gradFn.recycles = false;
  return out;
}
