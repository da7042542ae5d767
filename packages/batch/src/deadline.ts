import { CascadeFlowError } from '@cascadeflow/core';

/**
 * The batch's `totalTimeout` as an abort signal (reason: a `total_timeout` error), combined with the
 * caller's signal when there is one. `clear()` stops the timer; the timer never keeps the process alive.
 */
export function batchDeadline(
  totalTimeout: number,
  signal: AbortSignal | undefined,
): { signal: AbortSignal; timedOut(): boolean; clear(): void } {
  const deadline = new AbortController();
  const timer = setTimeout(
    () =>
      deadline.abort(
        new CascadeFlowError(
          'total_timeout',
          `The batch did not finish within totalTimeout (${totalTimeout} ms).`,
        ),
      ),
    totalTimeout,
  );
  timer.unref?.();
  return {
    signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
    timedOut: () => deadline.signal.aborted,
    clear: () => clearTimeout(timer),
  };
}
