let never: AbortSignal | undefined;

/** One shared signal that never fires, for runs given none (saves an AbortController per run). */
export function neverAborted(): AbortSignal {
  never ??= new AbortController().signal;
  return never;
}

/** The signal of one provider call: `dispose()` removes every listener and timer it added, on every exit path. */
export interface AttemptSignal {
  /** Undefined when there is nothing to abort on (no caller signal, no timer of ours). */
  signal: AbortSignal | undefined;
  timedOut(): boolean;
  dispose(): void;
}

const NOTHING: AttemptSignal = { signal: undefined, timedOut: () => false, dispose() {} };

/**
 * The per-attempt signal: a child of the run's signal, plus a timeout when `timeoutMs` is given (the agent
 * times streamed attempts; the SDK providers time whole-answer calls themselves). The provider, and the SDK
 * under it, attach their listeners to this child, never to the caller's signal: the one listener added to
 * the caller's signal is removed by `dispose()`, so many runs sharing one `AbortController` leave nothing
 * behind. The timer is unref'd so it never keeps the process alive.
 */
export function attemptSignal(parent: AbortSignal, timeoutMs: number | undefined): AttemptSignal {
  const linked = parent !== never;
  if (!linked && timeoutMs === undefined) return NOTHING;
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref?.();
  }
  const forward = () => controller.abort(parent.reason);
  if (linked) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', forward, { once: true });
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      if (timer) clearTimeout(timer);
      if (linked) parent.removeEventListener('abort', forward);
    },
  };
}
