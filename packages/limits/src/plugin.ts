import { randomUUID } from 'node:crypto';
import type { CascadePlugin, Pricing, ResolvedRequest, RunContext } from '@cascadeflow/core';
import { BudgetExceededError, RateLimitError } from './errors.js';
import { LimitsEmitter, type LimitsEvents, type StoreErrorPolicy } from './events.js';
import { type LimitName, type LimitsConfig, validateLimits, WINDOWS } from './limits.js';
import { capOutput, type WorstCase, worstCase, worstCaseIfReady } from './reservation.js';
import { MemoryLimitStore } from './stores/memory.js';
import { ResilientStore } from './stores/resilient.js';
import type {
  LimitStore,
  Reservation,
  ReserveOutcome,
  ReserveRequest,
  WindowCharge,
} from './stores/store.js';

/** The worst case of a run whose limits count only requests (and concurrency): nothing to price. */
const NOTHING_METERED: WorstCase = Object.freeze({ tokens: 0, cost: 0, unpriced: [] as string[] });

declare module '@cascadeflow/core' {
  interface PluginHandoffs {
    /** The limits of this run, handed over by another plugin (profiles) or the caller; they win over the plugin's own. */
    limits?: LimitsConfig;
  }
}

/** Options of {@link limitsPlugin}. */
export interface LimitsPluginOptions {
  /** Where limits live. Default: in memory (this process only). */
  store?: LimitStore;
  /**
   * The limits of a run: fixed, or computed from the request (per user, per tier). A run whose
   * `handoffs.limits` is set (by the profiles plugin, or the caller) uses those instead.
   */
  limits?: LimitsConfig | ((request: ResolvedRequest, context: RunContext) => LimitsConfig | undefined);
  /** What happens while the store fails. Default `fallback-memory`. */
  onStoreError?: StoreErrorPolicy;
  /** Prices for the cost reservation. Default: the agent's price table. */
  pricing?: Pricing;
  /**
   * USD reserved per call to a model that has no price (default 0). A budget cannot be enforced before the
   * fact for a model whose price is unknown: give prices, or set this to the most such a call can cost.
   */
  unpricedModelCost?: number;
  /**
   * Output cap given to every tier that has none when a token or cost limit applies (so that the reservation
   * bounds the spend), and reserved for it. Default 1024.
   */
  defaultMaxTokens?: number;
  /** Validator calls per judged tier to reserve for (1 with a `selfCheck` validator). Default 0. */
  validatorCallsPerTier?: number;
  /**
   * Lease of a concurrency slot, in ms: renewed every third of it while the run lasts, so that a slot whose
   * release is lost (a crashed process, a store outage) frees itself within one lease. Default 15000.
   */
  concurrencyLeaseMs?: number;
  /** Subject of runs without a `userId` (all share it), or null to leave them unlimited. Default `anonymous`. */
  anonymousSubject?: string | null;
  /** Plugin name. Default `limits`. */
  name?: string;
}

interface State {
  reservation?: Reservation;
  reservedTokens: number;
  reservedCost: number;
  renewal?: ReturnType<typeof setInterval>;
}

/** The limits plugin, with its events and a look at current figures. */
export interface LimitsPlugin extends CascadePlugin<State> {
  on<K extends keyof LimitsEvents>(type: K, listener: (event: LimitsEvents[K]) => void): () => void;
  /** The figures in each configured window for a subject now. */
  current(subject: string, limits: LimitsConfig): Promise<Partial<Record<LimitName, number>>>;
  readonly store: LimitStore;
}

/**
 * Puts per-user rate limits and cost budgets into every run (single, batch or stream): before the run it
 * reserves the worst case (every tier answering with its max tokens, priced from the price table) in one
 * atomic step; when the run ends, however it ends (accepted, refused by another plugin, aborted, failed), it
 * settles to what the run's attempts really cost, so paid calls are always charged and unused reservation is
 * always released. Refusals are `RateLimitError` or `BudgetExceededError` with the limit's name, value, the
 * current figure and `retryAfterMs`.
 *
 * @example
 * ```ts
 * const limits = limitsPlugin({ limits: { requestsPerMinute: 20, costPerDay: 5 } });
 * limits.on('limit:rejected', (e) => metrics.increment('limited', { limit: e.limit }));
 * const agent = new CascadeAgent({ providers, ladder, plugins: [limits] });
 * await agent.run({ query: 'hi', userId: 'user-42' });
 * ```
 */
export function limitsPlugin(options: LimitsPluginOptions = {}): LimitsPlugin {
  const events = new LimitsEmitter();
  const primary = options.store ?? new MemoryLimitStore();
  const store = new ResilientStore(primary, options.onStoreError ?? 'fallback-memory', events);
  const unpricedCost = options.unpricedModelCost ?? 0;
  const defaultMaxTokens = options.defaultMaxTokens ?? 1024;
  const anonymous = options.anonymousSubject === undefined ? 'anonymous' : options.anonymousSubject;
  const fixed = typeof options.limits === 'object' ? validateLimits(options.limits) : undefined;
  const warned = new Set<string>();
  const leaseMs = options.concurrencyLeaseMs ?? 15_000;

  // Limits handed over frozen (the profiles plugin hands each profile's once) are validated once.
  const validated = new WeakMap<object, LimitsConfig>();
  const limitsFor = (request: ResolvedRequest, context: RunContext): LimitsConfig | undefined => {
    const handed = request.handoffs.limits;
    if (handed !== undefined) {
      if (typeof handed !== 'object' || handed === null || !Object.isFrozen(handed))
        return validateLimits(handed, 'handoffs.limits');
      let limits = validated.get(handed);
      if (!limits) {
        limits = validateLimits(handed, 'handoffs.limits');
        validated.set(handed, limits);
      }
      return limits;
    }
    if (typeof options.limits === 'function') {
      const l = options.limits(request, context);
      return l === undefined ? undefined : validateLimits(l);
    }
    return fixed;
  };

  // The memory store answers at once: reserved and settled without a promise.
  const memory = primary instanceof MemoryLimitStore ? primary : null;

  /** Reserves the run's worst case in every configured window (and a concurrency slot); refuses over a limit. */
  const reserveFor = (
    capped: ResolvedRequest,
    subject: string,
    limits: LimitsConfig,
    worst: WorstCase,
    context: RunContext,
    state: State,
  ): ResolvedRequest | undefined | Promise<ResolvedRequest | undefined> => {
    for (const model of worst.unpriced) {
      if (warned.has(model)) continue;
      warned.add(model);
      events.emit('model:unpriced', { model });
    }
    const charges: WindowCharge[] = [];
    for (const w of WINDOWS) {
      const limit = limits[w.field];
      if (limit === undefined) continue;
      charges.push({
        name: w.name,
        windowMs: w.windowMs,
        limit,
        amount: w.kind === 'requests' ? 1 : w.kind === 'tokens' ? worst.tokens : worst.cost,
      });
    }
    const concurrent = limits.concurrent !== undefined ? { limit: limits.concurrent, leaseMs } : undefined;
    if (charges.length === 0 && !concurrent) return undefined;
    const reserve: ReserveRequest = {
      id: `${context.runId}_${randomUUID()}`,
      subject,
      charges,
      ...(concurrent ? { concurrent } : {}),
    };
    const admit = (out: ReserveOutcome): ResolvedRequest => {
      if (!out.ok) {
        events.emit('limit:rejected', {
          subject,
          limit: out.name,
          value: out.limit,
          current: out.current,
          requested: out.requested,
        });
        const details = {
          limit: out.name,
          value: out.limit,
          current: out.current,
          requested: out.requested,
          subject,
          retryAfterMs: out.retryAfterMs ?? undefined,
        };
        throw out.name.startsWith('cost') ? new BudgetExceededError(details) : new RateLimitError(details);
      }
      state.reservation = out.reservation;
      state.reservedTokens = worst.tokens;
      state.reservedCost = worst.cost;
      if (out.reservation.leaseMs !== null) {
        // Renewed while the run lasts; if this process dies, the slot lapses within one lease.
        const r = out.reservation;
        state.renewal = setInterval(() => {
          store.renew(r).catch(() => undefined); // an outage is announced by the store; the lease just lapses
        }, leaseMs / 3);
        state.renewal.unref?.();
      }
      return capped;
    };
    return memory ? admit(memory.reserveSync(reserve)) : store.reserve(reserve).then(admit);
  };

  return {
    name: options.name ?? 'limits',
    store,
    on: (type, listener) => events.on(type, listener),
    current: (subject, limits) =>
      store.current(subject, [
        ...WINDOWS.filter((w) => validateLimits(limits)[w.field] !== undefined).map((w) => ({
          name: w.name,
          windowMs: w.windowMs,
        })),
        ...(limits.concurrent !== undefined ? [{ name: 'concurrent' as const, windowMs: 0 }] : []),
      ]),
    createState: () => ({ reservedTokens: 0, reservedCost: 0 }),

    // Synchronous with the memory store once the token counters have loaded: no promise on the hot path.
    beforeRun({ request, context, state }) {
      const subject = request.userId ?? anonymous;
      if (subject === null) return;
      const limits = limitsFor(request, context);
      if (!limits) return;
      const metered = WINDOWS.some((w) => w.kind !== 'requests' && limits[w.field] !== undefined);
      // A true upper bound needs an output cap on every tier: the provider may write up to it.
      const capped = metered ? capOutput(request, defaultMaxTokens) : request;
      if (!metered) return reserveFor(capped, subject, limits, NOTHING_METERED, context, state);
      const costing = {
        pricing: options.pricing ?? context.pricing,
        unpricedModelCost: unpricedCost,
        validatorCallsPerTier: options.validatorCallsPerTier ?? 0,
      };
      const worst = worstCaseIfReady(capped, costing);
      if (worst) return reserveFor(capped, subject, limits, worst, context, state);
      return worstCase(capped, costing).then((w) => reserveFor(capped, subject, limits, w, context, state));
    },

    // Told once per run, however it ended (accepted, refused by any plugin, aborted, failed), with what the
    // engine's attempts really cost: the reservation becomes that spend, never a refund of paid calls.
    onSettle({ outcome, state }) {
      if (state.renewal) clearInterval(state.renewal);
      const r = state.reservation;
      if (!r) return;
      const spent = outcome.spend;
      const tokens = spent.usage.inputTokens + spent.usage.outputTokens;
      const cost = spent.cost ?? state.reservedCost; // an unknown price keeps the reserved figure
      // A run in which no provider answered (refused before any call, every call failed) is not counted as a
      // request; one that was answered, even if then refused or aborted, is.
      const served = outcome.attempts.some((a) => a.usage !== null);
      const deltas: Partial<Record<LimitName, number>> = {};
      for (const c of r.charges) {
        if (c.name.startsWith('tokens')) deltas[c.name] = tokens - state.reservedTokens;
        else if (c.name.startsWith('cost')) deltas[c.name] = cost - state.reservedCost;
        else if (!served) deltas[c.name] = -c.amount;
      }
      if (memory) {
        memory.settleSync(r, deltas);
        return;
      }
      return store.settle(r, deltas).catch((error: unknown) => {
        // The store sends it again when it answers again; the lease lapses meanwhile.
        events.emit('settle:failed', { subject: r.subject, error: error as Error });
      });
    },
  };
}
