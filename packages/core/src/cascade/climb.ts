import type { ResolvedRequest } from '../agent/request.js';
import type { AttemptRecord, CascadeResult } from '../agent/result.js';
import { AllTiersFailedError, CascadeAbortedError } from '../errors/errors.js';
import type { Provider } from '../types/provider.js';
import { callTier, InterruptedAttempt, type TierCallDeps } from './call-tier.js';
import type { PolicyScratch } from './policy.js';

/** What climbing the ladder needs from the agent: what calling a tier needs, plus the providers and the ledger. */
export interface ClimbDeps extends TierCallDeps {
  providers: ReadonlyMap<string, Provider>;
  /**
   * The run's ledger: every attempt is pushed here (frozen) as soon as it is decided, or cut short, so that
   * what was paid is known however the run ends.
   */
  ledger: AttemptRecord[];
}

/**
 * Climbs the ladder for one run: calls each tier, decides its answer with the policy, and stops at the first
 * accepted one. When every tier above a rejected draft failed, the best rejected draft is the (degraded)
 * answer; when every tier failed, {@link AllTiersFailedError} holds each tier's original error.
 */
export async function climb(deps: ClimbDeps, request: ResolvedRequest): Promise<CascadeResult> {
  const { context, events, live, runner, ledger, policy } = deps;
  const scratch: PolicyScratch = {};
  const failures: { model: string; tier: number; error: Error }[] = [];
  let accepted: AttemptRecord | undefined;

  for (const tier of request.ladder) {
    const before = runner.beforeAttempt(request, tier);
    if (before) await before;
    if (events.has('attempt:start')) events.emit('attempt:start', { runId: context.runId, tier });
    live.onEvent?.({ type: 'attempt_start', tier });
    const provider = deps.providers.get(tier.provider)!;
    let outcome: Awaited<ReturnType<typeof callTier>>;
    try {
      outcome = runner.scopesCalls
        ? await runner.aroundCall(request, tier, () => callTier(deps, provider, request, tier))
        : await callTier(deps, provider, request, tier);
    } catch (e) {
      if (e instanceof InterruptedAttempt) {
        ledger.push(Object.freeze(e.attempt));
        throw e.error;
      }
      throw e;
    }
    const attempt = outcome.attempt;
    if (attempt.status === 'accepted' && !attempt.abandonedEarly) {
      try {
        await policy.decide({
          request,
          attempt,
          previous: ledger,
          provider,
          signal: context.signal,
          scratch,
        });
      } catch (e) {
        // A validator's own call was cut short: the answer was still paid for.
        ledger.push(Object.freeze(attempt));
        if (context.signal.aborted) throw new CascadeAbortedError(context.signal.reason);
        throw e;
      }
    } else if (outcome.error) {
      failures.push({ model: tier.model, tier: tier.index, error: outcome.error });
    }
    Object.freeze(attempt);
    ledger.push(attempt);
    const after = runner.afterAttempt(request, attempt);
    if (after) await after;
    if (events.has('attempt:end')) events.emit('attempt:end', { runId: context.runId, attempt });
    live.onEvent?.({ type: 'attempt_end', attempt });

    if (attempt.status === 'accepted') {
      accepted = attempt;
      break;
    }
    const next = request.ladder[tier.index + 1];
    if (next) {
      events.emit('run:escalate', { runId: context.runId, from: tier, to: next, reason: attempt.reason });
      live.onEvent?.({ type: 'escalate', from: tier, to: next, reason: attempt.reason });
    }
  }

  let degraded = false;
  if (!accepted) {
    accepted = policy.bestRejected(ledger);
    if (!accepted) throw new AllTiersFailedError(failures);
    degraded = true;
    events.emit('agent:warning', {
      runId: context.runId,
      code: 'degraded_result',
      model: accepted.model,
      message: `Every tier above ${accepted.tier.name} failed; returning its draft, which scored below its threshold.`,
    });
  }
  return policy.result({
    request,
    runId: context.runId,
    startedAt: context.startedAt,
    attempts: [...ledger],
    answer: accepted,
    degraded,
  });
}
