import { getEventListeners } from 'node:events';

/**
 * The requests' AbortControllers, reused. On Node 20 creating an AbortSignal costs about 4 µs of CPU, and the
 * signal outlives the young-generation collections that should free it (it is promoted to the old
 * generation, and so makes every scavenge longer): the gateway made one per request. A controller comes
 * back only when its request ended unaborted and nothing listens to its signal any more, so a signal in use
 * is never handed to another request.
 */
export class ControllerPool {
  readonly #spare: AbortController[] = [];

  constructor(readonly capacity = 256) {}

  /** A controller whose signal has not fired and has no listener. */
  take(): AbortController {
    return this.#spare.pop() ?? new AbortController();
  }

  /** Gives back the controller of a request that has ended; kept only if its signal is as good as new. */
  give(controller: AbortController): void {
    const signal = controller.signal;
    if (signal.aborted || this.#spare.length >= this.capacity) return;
    if (getEventListeners(signal, 'abort').length > 0) return;
    this.#spare.push(controller);
  }
}
