import type { CascadeResult } from '@cascadeflow/core';
import type { Observable } from 'rxjs';
import type { CascadeStreamEvent } from './events.js';

/**
 * The async-iterable form of an Observable: `for await` over events; leaving the loop early unsubscribes
 * (and so aborts the run and closes the HTTP stream).
 *
 * @example
 * ```ts
 * for await (const e of toAsyncIterable(streamCascade(agent, 'hi'))) if (e.type === 'text') process.stdout.write(e.text);
 * ```
 */
export function toAsyncIterable<T>(source: Observable<T>): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let done = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const subscription = source.subscribe({
    next: (v) => {
      queue.push(v);
      wake?.();
    },
    error: (e) => {
      failure = { error: e };
      wake?.();
    },
    complete: () => {
      done = true;
      wake?.();
    },
  });
  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (queue.length > 0) return { value: queue.shift()!, done: false };
        if (failure) throw (failure as { error: unknown }).error;
        if (done) return { value: undefined, done: true };
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    },
    async return(): Promise<IteratorResult<T>> {
      subscription.unsubscribe();
      done = true;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * Waits for the end of a cascade stream and returns its result (the same shape `agent.run()` returns).
 *
 * @example
 * ```ts
 * const result = await collectResult(streamCascade(agent, 'hi'));
 * ```
 */
export async function collectResult(source: Observable<CascadeStreamEvent>): Promise<CascadeResult> {
  for await (const e of toAsyncIterable(source)) if (e.type === 'finish') return e.result;
  throw new Error('The stream ended without a finish event.');
}

/**
 * The text a client should display at the end: every text event, minus what was retracted.
 *
 * @example
 * ```ts
 * const text = await visibleText(streamCascade(agent, 'hi', { mode: 'stream' }));
 * ```
 */
export async function visibleText(source: Observable<CascadeStreamEvent>): Promise<string> {
  let committed = '';
  let pending = '';
  for await (const e of toAsyncIterable(source)) {
    if (e.type === 'text') pending += e.text;
    else if (e.type === 'retract') pending = '';
    else if (e.type === 'decision' && e.accepted) {
      committed += pending;
      pending = '';
    } else if (e.type === 'finish') committed += pending;
  }
  return committed;
}
