/**
 * The sliding window: each window is split into 100 buckets; the sum over the window counts the buckets
 * inside it in full and the oldest, partly expired bucket in proportion to the part still inside (as if its
 * events were spread evenly). The error against an exact sliding log is at most one bucket's share of the
 * oldest bucket, and much less on real traffic (measured in the bench). Memory is bounded: at most 101
 * buckets per window, whatever the traffic. The Redis store runs the same arithmetic in Lua.
 */
export const BUCKETS = 100;

export function bucketWidth(windowMs: number): number {
  return windowMs / BUCKETS;
}

export function bucketOf(t: number, windowMs: number): number {
  return Math.floor(t / bucketWidth(windowMs));
}

/** Sum of a window at `now`; deletes expired buckets. */
export function windowSum(buckets: Map<number, number>, now: number, windowMs: number): number {
  const w = bucketWidth(windowMs);
  const start = now - windowMs;
  let sum = 0;
  for (const [i, amount] of buckets) {
    const end = (i + 1) * w;
    if (end <= start) {
      buckets.delete(i);
      continue;
    }
    const begin = i * w;
    sum += begin >= start ? amount : (amount * (end - start)) / w;
  }
  return sum;
}

/**
 * How long until `needed` more fits under `limit`, or null when it never will (`needed > limit`). Checks
 * the moments each bucket leaves the window.
 */
export function retryAfter(
  buckets: Map<number, number>,
  now: number,
  windowMs: number,
  limit: number,
  needed: number,
): number | null {
  if (needed > limit) return null;
  const w = bucketWidth(windowMs);
  const ends = [...buckets.keys()].sort((a, b) => a - b).map((i) => (i + 1) * w + windowMs);
  for (const t of ends) {
    if (t <= now) continue;
    if (windowSum(new Map(buckets), t, windowMs) + needed <= limit + 1e-9) return Math.ceil(t - now);
  }
  return Math.ceil(windowMs);
}
