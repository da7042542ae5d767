import type { z } from 'zod';

/**
 * The issue to report: for a value that matched no branch of a union (a string or an array of parts), the
 * deepest issue of the branch that got furthest, its path made absolute, so that the 400 names the field
 * that was wrong (`messages.0.content.1.source.media_type`) rather than the union (`messages.0.content`).
 */
export function deepestIssue(issue: z.core.$ZodIssue | undefined): z.core.$ZodIssue | undefined {
  if (issue?.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors)
    for (const sub of branch) {
      const inner = deepestIssue(sub);
      if (inner && (!best || inner.path.length > best.path.length)) best = inner;
    }
  if (!best || best.path.length === 0) return issue;
  return { ...best, path: [...issue.path, ...best.path] } as z.core.$ZodIssue;
}
