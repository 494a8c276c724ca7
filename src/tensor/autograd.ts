// The backward pass: walk the graph in reverse topological order, sum gradients where paths meet, fill leaves' .grad.

import ops from "ndarray-ops";
import { checkOptions } from "./describe.ts";
import { allocate } from "./dtype.ts";
import { add } from "./elementwise.ts";
import { noGrad } from "./grad-mode.ts";
import { fmt, sameShape } from "./shape.ts";
import { BackwardArrays } from "./recycle.ts";
import { fromArray, gradOf, setGrad, Tensor, type GradFn } from "./tensor.ts";

export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again (as PyTorch's retain_graph). */
  retainGraph?: boolean;
}

/**
 * Computes d(root)/d(leaf) for every leaf that requires a gradient and adds it into `leaf.grad`.
 * A non-scalar root needs `gradient` (the upstream gradient, same shape): backward computes the
 * vector-Jacobian product. The walk is iterative, so a chain of any length fits in the stack.
 */
export function backward(root: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  const { retainGraph = false } = checkOptions("backward", options, { retainGraph: true });
  if (!root.requiresGrad) {
    throw new Error("backward: this tensor does not require grad and has no gradFn (set requiresGrad on an input, and do not compute it inside noGrad)");
  }
  if (gradient === undefined) {
    if (root.size !== 1) throw new Error(`backward: a gradient is needed for a non-scalar output of shape ${fmt(root.shape)} (e.g. z.backward(onesLike(z)))`);
    gradient = fromArray(allocate(root.dtype, 1).fill(1), root.shape);
  } else if (!(gradient instanceof Tensor) || !sameShape(gradient.shape, root.shape) || gradient.dtype !== root.dtype) {
    const got = gradient instanceof Tensor ? `${fmt(gradient.shape)} ${gradient.dtype}` : typeof gradient;
    throw new Error(`backward: the gradient must match the output (${fmt(root.shape)} ${root.dtype}), got ${got}`);
  }
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, gradient]]);
  // Storage already handed out (the caller's gradient, earlier leaves' .grad): a leaf never shares it.
  const taken = new Set<ArrayBufferLike>([gradient.data.data.buffer]);
  const arrays = new BackwardArrays();
  arrays.hold(gradient);
  arrays.begin();
  try {
    noGrad(() => {
      for (let i = order.length - 1; i >= 0; i--) {
        const node = order[i];
        const g = grads.get(node);
        grads.delete(node);
        if (g === undefined) continue;
        const fn = node.gradFn;
        if (fn === null) {
          accumulateLeaf(node, g, taken, arrays);
          arrays.unhold(g);
          arrays.recycleIfFree(g);
          continue;
        }
        checkSavedVersions(fn);
        if (!fn.recycles) arrays.keep(g);
        const inputGrads = fn.backward!(g);
        const unheld: Tensor[] = [];
        fn.inputs.forEach((input, k) => {
          const gi = inputGrads[k];
          if (!gi) return;
          if (!fn.recycles) arrays.keep(gi);
          if (!input.requiresGrad) {
            unheld.push(gi);
            return;
          }
          if (!sameShape(gi.shape, input.shape)) throw new Error(`backward of ${fn.op}: gradient ${fmt(gi.shape)} for input ${k} of shape ${fmt(input.shape)} (a bug in the op)`);
          const previous = grads.get(input);
          const sum = previous ? add(previous, gi) : gi;
          grads.set(input, sum);
          arrays.hold(sum);
          if (previous) {
            arrays.unhold(previous);
            unheld.push(previous, gi);
          }
        });
        // Only now, with every input's gradient stored: one array can be returned for two inputs.
        arrays.unhold(g);
        arrays.recycleIfFree(g);
        for (const t of unheld) arrays.recycleIfFree(t);
        if (!retainGraph) {
          arrays.doneWith(node);
          arrays.recycleIfFree(node);
          fn.backward = null;
          fn.inputs = [];
        }
      }
    });
  } finally {
    arrays.end();
  }
}

/** Nodes that need a gradient, inputs before the ops that use them (iterative depth-first post-order). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const fn = top[0].gradFn;
    if (fn !== null && fn.backward === null) {
      throw new Error(`backward: the graph through ${fn.op} was already released by an earlier backward (pass { retainGraph: true } to the first call to go through it twice)`);
    }
    const inputs = fn?.inputs ?? [];
    if (top[1] < inputs.length) {
      const child = inputs[top[1]++];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  return order;
}

/**
 * leaf.grad += g, as PyTorch accumulates across backward calls: into the existing .grad in place,
 * so that a reference kept to it sees the sum, as in PyTorch. A fresh gradient array is adopted
 * as it is (no copy on the hot path); one that is shared or strided is copied, so that no two
 * leaves, and never the caller's gradient, share storage (zeroGrad may fill a grad in place).
 */
function accumulateLeaf(leaf: Tensor, g: Tensor, taken: Set<ArrayBufferLike>, arrays: BackwardArrays): void {
  if (!leaf.requiresGrad) return;
  const existing = gradOf(leaf);
  if (existing === null) {
    const values = g.values();
    const owned = values.length === values.buffer.byteLength / values.BYTES_PER_ELEMENT && !taken.has(values.buffer);
    const adopted = owned ? values : values.slice();
    setGrad(leaf, fromArray(adopted, leaf.shape));
    taken.add(adopted.buffer);
  } else {
    if (!sameShape(existing.shape, leaf.shape)) throw new Error(`backward: the existing .grad has shape ${fmt(existing.shape)} but the tensor has ${fmt(leaf.shape)}`);
    if (existing.dtype !== g.dtype) throw new Error(`backward: the existing .grad is ${existing.dtype} but the gradient is ${g.dtype}`);
    ops.addeq(existing.data, g.data);
    existing.bumpVersion();
  }
  arrays.keep(gradOf(leaf)!);
}

/** Refuses to run a backward whose saved inputs were written in place after the forward (PyTorch's message, plus which tensor and what to do). */
function checkSavedVersions(fn: GradFn): void {
  for (let k = 0; k < fn.saved.length; k++) {
    const t = fn.saved[k];
    if (t.version === fn.savedVersions[k]) continue;
    const which = `input ${fn.inputs.indexOf(t)} of ${fn.op}`;
    const what = `${t.name === undefined ? "a tensor" : `the tensor "${t.name}"`} of shape ${fmt(t.shape)} (${t.dtype})`;
    throw new Error(
      `backward: one of the variables needed for gradient computation has been modified by an inplace operation: ${which}, ${what}, is at version ${t.version}; expected version ${fn.savedVersions[k]} instead. ` +
        "It was written in place after the forward (by optimizer.step(), loadStateDict, zeroGrad, nn.init or a DataLoader refilling its batch buffer); run the forward again after such a write, or call backward before it",
    );
  }
}
