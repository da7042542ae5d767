/** Waits `ms`, or rejects with the signal's reason when it aborts first. The timer does not hold the process. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const stop = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    t.unref?.();
    signal.addEventListener('abort', stop, { once: true });
  });
}
