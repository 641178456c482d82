// Whether ops record the graph for autodiff. noGrad() turns recording off for a block,
// like torch.no_grad(); optimizers and evaluation loops use it.

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn with graph recording set to `on`, restoring the previous mode after. */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new Error("noGrad/enableGrad take a synchronous function; await inside is not tracked");
    }
    return r;
  } finally {
    enabled = prev;
  }
}

/** Back to the default (recording), whatever an interrupted block left (recover.ts). */
export function resetGradMode(): void {
  enabled = true;
}

/** Runs fn without recording operations for autodiff. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}
