// Whether ops record the graph: noGrad(fn) turns recording off for the duration of fn.

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording the graph (as torch.no_grad): results have no gradFn and no requiresGrad. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}
