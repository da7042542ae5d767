import { ControllerPool } from './controller-pool.js';

let never: AbortSignal | undefined;

/** One shared signal that never fires, for runs given none (saves an AbortController per run). */
export function neverAborted(): AbortSignal {
  never ??= new AbortController().signal;
  return never;
}

/** The signal of one provider call: `dispose()` removes every listener and timer it added, on every exit path. */
export interface AttemptSignal {
  /**
   * Undefined when there is nothing to abort on (no caller signal, no timer of ours). Created when first
   * read: a provider that never reads it cannot be aborted anyway, and costs no controller, timer or listener.
   */
  readonly signal: AbortSignal | undefined;
  timedOut(): boolean;
  dispose(): void;
}

const NOTHING: AttemptSignal = { signal: undefined, timedOut: () => false, dispose() {} };

/**
 * The per-attempt signal: a child of the run's signal, plus a timeout when `timeoutMs` is given (the agent
 * times streamed attempts; the SDK providers time whole-answer calls themselves). The provider, and the SDK
 * under it, attach their listeners to this child, never to the caller's signal: the one listener added to
 * the caller's signal is removed by `dispose()`, so many runs sharing one `AbortController` leave nothing
 * behind. The timer is unref'd so it never keeps the process alive. The timeout is enforced through the
 * signal, so it starts when the provider takes the signal, at the start of its call.
 */
export function attemptSignal(parent: AbortSignal, timeoutMs: number | undefined): AttemptSignal {
  const linked = parent !== never;
  if (!linked && timeoutMs === undefined) return NOTHING;
  return new AttemptScope(parent, linked, timeoutMs);
}

/** The attempts' controllers, reused (see {@link ControllerPool}). */
const attemptControllers = new ControllerPool();

/** A class, not an object literal with a getter (see `defineLazy` on why). */
class AttemptScope implements AttemptSignal {
  #controller: AbortController | undefined;
  #timedOut = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;
  readonly #forward = () => this.#controller!.abort(this.parent.reason);

  constructor(
    readonly parent: AbortSignal,
    readonly linked: boolean,
    readonly timeoutMs: number | undefined,
  ) {}

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    // Read after the attempt ended (a provider keeping it): nothing left to abort, nothing to clean up.
    if (this.#disposed) {
      this.#controller = new AbortController();
      return this.#controller.signal;
    }
    const controller = attemptControllers.take();
    this.#controller = controller;
    const ms = this.timeoutMs;
    if (ms !== undefined) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        controller.abort(new Error(`timed out after ${ms} ms`));
      }, ms);
      this.#timer.unref?.();
    }
    if (this.linked) {
      if (this.parent.aborted) controller.abort(this.parent.reason);
      else this.parent.addEventListener('abort', this.#forward, { once: true });
    }
    return controller.signal;
  }

  timedOut(): boolean {
    return this.#timedOut;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (!this.#controller) return;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.linked) this.parent.removeEventListener('abort', this.#forward);
    // Reused only if it never fired and the provider left no listener on it.
    attemptControllers.give(this.#controller);
  }
}
