/** Progress of a batch, for progress bars. */
export interface BatchProgress {
  done: number;
  failed: number;
  /** Items in the batch, when known (null for a stream of unknown length). */
  total: number | null;
  costSoFar: number;
  elapsedMs: number;
  /** Estimated time left from the rate so far; null until it can be estimated. */
  etaMs: number | null;
  /** Native strategy: the tier whose provider batch is running. */
  phase?: { tier: number; model: string; batchId: string; status: string };
}

export function progressOf(
  done: number,
  failed: number,
  total: number | null,
  cost: number,
  started: number,
  phase?: BatchProgress['phase'],
): BatchProgress {
  const elapsedMs = Date.now() - started;
  const finished = done + failed;
  const etaMs =
    total !== null && finished > 0 ? Math.round((elapsedMs / finished) * (total - finished)) : null;
  return { done, failed, total, costSoFar: cost, elapsedMs, etaMs, ...(phase ? { phase } : {}) };
}
