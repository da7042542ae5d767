/**
 * Error classes of CascadeFlow. Every error has a stable `code`, a message that says what to do, and the
 * data a program needs. `instanceof` works across duplicate installs of a package for every class here and
 * every subclass that declares a `static readonly kind` (the other packages' errors do): the check compares
 * global symbols and kind names, not prototypes. `CascadeFlowError.isInstance(e)` is the same test.
 */

const MARKER = Symbol.for('cascadeflow.error');
const KINDS = Symbol.for('cascadeflow.error.kinds');

/** The `kind` names of a class and of every class it extends. */
function kindsOf(ctor: unknown): string[] {
  const kinds: string[] = [];
  for (let c = ctor as { kind?: unknown } | null; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, 'kind') && typeof c.kind === 'string') kinds.push(c.kind);
  }
  return kinds;
}

/** Every error code CascadeFlow raises. */
export type CascadeFlowErrorCode =
  | 'invalid_config'
  | 'invalid_request'
  | 'unknown_provider'
  | 'provider_error'
  | 'provider_rate_limited'
  | 'provider_timeout'
  | 'provider_malformed_response'
  | 'aborted'
  | 'all_tiers_failed'
  | 'plugin_failed'
  | 'request_rejected';

/** A code of core, or of another CascadeFlow package (`invalid_dataset`, `rate_limited`, …). */
export type AnyErrorCode = CascadeFlowErrorCode | (string & {});

/**
 * Base class of every CascadeFlow error.
 *
 * @example
 * ```ts
 * try { await agent.run('hi'); } catch (e) {
 *   if (CascadeFlowError.isInstance(e)) console.error(e.code, e.message);
 * }
 * ```
 */
export class CascadeFlowError extends Error {
  /** The name `instanceof` matches across duplicate installs. Every subclass declares its own. */
  static readonly kind: string = 'cascadeflow.CascadeFlowError';
  readonly [MARKER] = true;
  readonly [KINDS]: readonly string[];
  readonly code: AnyErrorCode;

  constructor(code: AnyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CascadeFlowError';
    this.code = code;
    this[KINDS] = kindsOf(new.target);
  }

  /** `instanceof` by kind name, so that an error from another copy of the package is still recognised. */
  // biome-ignore-start lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || !(MARKER in value)) return false;
    const kind = Object.hasOwn(this, 'kind') ? (this as { kind?: unknown }).kind : undefined;
    if (typeof kind !== 'string') return Function.prototype[Symbol.hasInstance].call(this, value);
    const kinds = (value as { [KINDS]?: unknown })[KINDS];
    return Array.isArray(kinds) && kinds.includes(kind);
  }
  // biome-ignore-end lint/complexity/noThisInStatic: end

  /** True for any CascadeFlow error, even one thrown by another copy of this package. */
  static isInstance(error: unknown): error is CascadeFlowError {
    return typeof error === 'object' && error !== null && MARKER in error;
  }
}

/**
 * An option or request field is invalid. `field` is its dotted path, e.g. `ladder.1.threshold`.
 *
 * @example
 * ```ts
 * try { new CascadeAgent({ providers, ladder: [] }); } catch (e) { if (e instanceof InvalidConfigError) console.error(e.field); } // 'ladder'
 * ```
 */
export class InvalidConfigError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.InvalidConfigError';
  readonly field: string;
  /** What is wrong with the field, without its name (`must be between 0 and 1`). */
  readonly problem: string;
  constructor(field: string, problem: string, code: 'invalid_config' | 'invalid_request' = 'invalid_config') {
    super(code, `${field}: ${problem}`);
    this.name = 'InvalidConfigError';
    this.field = field;
    this.problem = problem;
  }
}

/**
 * A tier names a provider that was not given to the agent.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof UnknownProviderError) console.error(`add ${e.provider}; have ${e.available}`); }
 * ```
 */
export class UnknownProviderError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.UnknownProviderError';
  readonly provider: string;
  readonly available: string[];
  constructor(provider: string, available: string[], field: string) {
    super(
      'unknown_provider',
      `${field}: unknown provider "${provider}". Pass it in \`providers\` (available: ${available.join(', ') || 'none'}).`,
    );
    this.name = 'UnknownProviderError';
    this.provider = provider;
    this.available = available;
  }
}

/**
 * A provider call failed. `retryable` is true for 408, 409, 429, 5xx, timeouts and dropped connections.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ProviderError && e.retryable) setTimeout(retry, e.retryAfterMs ?? 1000); }
 * ```
 */
export class ProviderError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.ProviderError';
  readonly provider: string;
  readonly model: string;
  /** HTTP status, when the provider answered with one. */
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** How long the provider asked us to wait (`retry-after`), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(args: {
    code?: 'provider_error' | 'provider_rate_limited' | 'provider_timeout' | 'provider_malformed_response';
    provider: string;
    model: string;
    message: string;
    status?: number;
    retryable: boolean;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(args.code ?? 'provider_error', `${args.provider}/${args.model}: ${args.message}`, {
      cause: args.cause,
    });
    this.name = 'ProviderError';
    this.provider = args.provider;
    this.model = args.model;
    this.status = args.status;
    this.retryable = args.retryable;
    this.retryAfterMs = args.retryAfterMs;
  }
}

/**
 * The caller's `AbortSignal` fired. The run stops at once; no further tier is tried.
 *
 * @example
 * ```ts
 * const c = new AbortController(); setTimeout(() => c.abort(), 5000);
 * await agent.run({ query, signal: c.signal }).catch((e) => e instanceof CascadeAbortedError || Promise.reject(e));
 * ```
 */
export class CascadeAbortedError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.CascadeAbortedError';
  constructor(reason?: unknown) {
    super('aborted', 'The run was aborted by its AbortSignal.', { cause: reason });
    this.name = 'CascadeAbortedError';
  }
}

/**
 * Every tier of the ladder failed. `failures` lists each tier's original error in order (a
 * {@link ProviderError} keeps its `status`, `retryable`, `retryAfterMs` and `cause`); `cause` is the last one.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof AllTiersFailedError) for (const f of e.failures) console.error(f.model, f.error.message); }
 * ```
 */
export class AllTiersFailedError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.AllTiersFailedError';
  readonly failures: { model: string; tier: number; error: Error }[];
  constructor(failures: { model: string; tier: number; error: Error }[]) {
    const detail = failures.map((f) => `tier ${f.tier} (${f.model}): ${f.error.message}`).join('; ');
    super(
      'all_tiers_failed',
      `Every tier failed: ${detail}. Check the providers' status, keys and base URLs, or add a tier.`,
      { cause: failures[failures.length - 1]?.error },
    );
    this.name = 'AllTiersFailedError';
    this.failures = failures;
  }
}

/**
 * A plugin hook threw something that is not a deliberate rejection.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof PluginError) console.error(`plugin ${e.plugin} broke in ${e.hook}`, e.cause); }
 * ```
 */
export class PluginError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.PluginError';
  readonly plugin: string;
  readonly hook: string;
  constructor(plugin: string, hook: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('plugin_failed', `Plugin "${plugin}" failed in ${hook}: ${why}`, { cause });
    this.name = 'PluginError';
    this.plugin = plugin;
    this.hook = hook;
  }
}

/**
 * A plugin refused a request or a result on purpose (rate limit, budget, guardrail). Plugins throw it (or a
 * subclass) from a gate hook; the agent passes it through unchanged with `plugin` filled in.
 *
 * @example
 * ```ts
 * throw new RequestRejectedError({ reason: 'Daily budget of $5 spent', data: { limit: 5 } });
 * ```
 */
export class RequestRejectedError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.RequestRejectedError';
  plugin: string | undefined;
  readonly reason: string;
  readonly retryAfterMs: number | undefined;
  /**
   * True when the same request may pass later unchanged (a rate or concurrency limit): batch runners wait and
   * retry these. False for refusals that will not change by waiting (a budget spent, a blocked input).
   * Default: true when `retryAfterMs` is set.
   */
  readonly retryable: boolean;
  readonly data: Record<string, unknown>;
  constructor(args: {
    reason: string;
    plugin?: string;
    retryAfterMs?: number;
    retryable?: boolean;
    data?: Record<string, unknown>;
    /** A more specific code for subclasses (`rate_limited`, `budget_exceeded`); default `request_rejected`. */
    code?: AnyErrorCode;
  }) {
    super(
      args.code ?? 'request_rejected',
      args.plugin ? `Rejected by plugin "${args.plugin}": ${args.reason}` : `Rejected: ${args.reason}`,
    );
    this.name = 'RequestRejectedError';
    this.plugin = args.plugin;
    this.reason = args.reason;
    this.retryAfterMs = args.retryAfterMs;
    this.retryable = args.retryable ?? args.retryAfterMs !== undefined;
    this.data = args.data ?? {};
  }

  /** Names the plugin that rejected (the agent calls this when a plugin threw without naming itself). */
  attributeTo(plugin: string): this {
    if (this.plugin === undefined) {
      this.plugin = plugin;
      this.message = `Rejected by plugin "${plugin}": ${this.reason}`;
    }
    return this;
  }
}
