import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CascadeAgent } from '../src/agent/agent.js';
import { defineLazy } from '../src/agent/lazy-properties.js';
import { attemptSignal, neverAborted } from '../src/agent/signals.js';
import { CascadeAbortedError } from '../src/errors/errors.js';
import type { Provider } from '../src/types/provider.js';

describe('attemptSignal', () => {
  it('adds nothing to the caller signal until a provider reads it, and removes it on dispose', () => {
    const parent = new AbortController();
    const scope = attemptSignal(parent.signal, 60_000);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    const signal = scope.signal!;
    expect(scope.signal).toBe(signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    parent.abort('stop');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('stop');
    scope.dispose();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    expect(scope.timedOut()).toBe(false);
  });

  it('a caller signal already aborted gives an aborted signal', () => {
    const scope = attemptSignal(AbortSignal.abort('gone'), undefined);
    expect(scope.signal!.aborted).toBe(true);
    expect(scope.signal!.reason).toBe('gone');
    scope.dispose();
  });

  it('times out from when the signal is taken, and says so', async () => {
    const scope = attemptSignal(neverAborted(), 20);
    const signal = scope.signal!;
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(scope.timedOut()).toBe(true);
    expect(String(signal.reason)).toContain('timed out after 20 ms');
    scope.dispose();
  });

  it('a provider that never reads it leaves no timer and no listener; one read after dispose gets an idle signal', async () => {
    const parent = new AbortController();
    const scope = attemptSignal(parent.signal, 10);
    scope.dispose();
    const late = scope.signal!;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(late.aborted).toBe(false);
    expect(scope.timedOut()).toBe(false);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('with neither a caller signal nor a timeout there is no signal', () => {
    expect(attemptSignal(neverAborted(), undefined).signal).toBeUndefined();
  });
});

describe('defineLazy', () => {
  it('works a property out when it is read, and a spread copy reads it', () => {
    let reads = 0;
    const target = defineLazy({ model: 'm' } as { model: string; signal?: number }, {
      signal: () => ++reads,
    });
    expect(reads).toBe(0);
    expect(Object.keys(target)).toEqual(['model', 'signal']);
    expect(target.signal).toBe(1);
    const copy = { ...target };
    expect(copy).toEqual({ model: 'm', signal: 2 });
    expect(Object.getOwnPropertyDescriptor(copy, 'signal')?.get).toBeUndefined();
  });

  it('shares one accessor per name between objects', () => {
    const a = defineLazy({}, { x: () => 1 });
    const b = defineLazy({}, { x: () => 2 });
    expect(Object.getOwnPropertyDescriptor(a, 'x')?.get).toBe(Object.getOwnPropertyDescriptor(b, 'x')?.get);
    expect([(a as { x: number }).x, (b as { x: number }).x]).toEqual([1, 2]);
  });
});

describe('the attempt call a provider gets', () => {
  it('carries the signal through a spread copy, which aborts with the run', async () => {
    const controller = new AbortController();
    let copied: AbortSignal | undefined;
    const provider: Provider = {
      name: 'copying',
      async complete(req) {
        // A provider (or a plugin) that copies the request before using it.
        const call = { ...req, model: `${req.model}-copy` };
        copied = call.signal;
        controller.abort(new Error('client gone'));
        await new Promise((resolve) => setTimeout(resolve, 1));
        throw new CascadeAbortedError(call.signal?.reason);
      },
      stream: () => {
        throw new Error('not streamed');
      },
    };
    const agent = new CascadeAgent({ providers: { p: provider }, ladder: [{ provider: 'p', model: 'm' }] });
    await expect(agent.run({ query: 'Hi?', signal: controller.signal })).rejects.toBeInstanceOf(
      CascadeAbortedError,
    );
    expect(copied).toBeInstanceOf(AbortSignal);
    expect(copied!.aborted).toBe(true);
  });
});

describe('attempt controllers', () => {
  it('are reused only when the attempt ended unaborted with no listener left', () => {
    const parent = new AbortController();
    const first = attemptSignal(parent.signal, undefined);
    const clean = first.signal!;
    first.dispose();
    const second = attemptSignal(parent.signal, undefined);
    expect(second.signal).toBe(clean);
    // A provider that left a listener behind: its signal is never handed out again.
    second.signal!.addEventListener('abort', () => undefined);
    second.dispose();
    const third = attemptSignal(parent.signal, undefined);
    expect(third.signal).not.toBe(clean);
    const aborted = third.signal!;
    parent.abort('stop');
    third.dispose();
    expect(attemptSignal(new AbortController().signal, undefined).signal).not.toBe(aborted);
  });
});
