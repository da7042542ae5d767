let never: AbortSignal | undefined;

/** One shared signal that never fires, for runs given none (saves an AbortController per run). */
export function neverAborted(): AbortSignal {
  never ??= new AbortController().signal;
  return never;
}

/** A signal that fires when `parent` fires or after `timeoutMs`; `dispose()` clears the timer and listener. */
export interface LinkedSignal {
  signal: AbortSignal | undefined;
  timedOut(): boolean;
  dispose(): void;
}

/**
 * The per-attempt signal: the run's signal plus a timeout. Cheaper than `AbortSignal.any` with
 * `AbortSignal.timeout` on Node 20 (both make transferable signals), and the timer is unref'd so it never
 * keeps the process alive.
 */
export function linkedTimeoutSignal(parent: AbortSignal, timeoutMs: number): LinkedSignal {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  timer.unref?.();
  const forward = () => controller.abort(parent.reason);
  const linked = parent !== never;
  if (linked) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', forward, { once: true });
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      if (linked) parent.removeEventListener('abort', forward);
    },
  };
}

/** No timer of ours: the provider times the call; the run's signal (if the caller gave one) passes as is. */
export function providerTimed(parent: AbortSignal): LinkedSignal {
  return { signal: parent === never ? undefined : parent, timedOut: () => false, dispose() {} };
}
