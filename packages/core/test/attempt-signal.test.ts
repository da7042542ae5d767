import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { attemptSignal, neverAborted } from '../src/agent/signals.js';

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
