/** One dependency of the gateway, checked by the readiness probe. */
export interface ReadinessCheck {
  /** What it is, as the probe names it (`profiles`, `redis`): no address, no error text. */
  name: string;
  /** Whether requests fail while it is down (`required`), or are served without it (`degraded`). */
  whenDown: 'required' | 'degraded';
  /** Resolves when it answers; rejects or hangs when it does not. */
  check(signal: AbortSignal): Promise<unknown>;
}

/** What `GET /readyz` answers. */
export interface Readiness {
  ready: boolean;
  /** Required dependencies that did not answer: requests would fail. */
  failing: string[];
  /** Optional ones that did not answer: requests are served without them (limits in memory, say). */
  degraded: string[];
}

/**
 * The gateway's readiness, for a load balancer's or Kubernetes' probe: each dependency asked at most once a
 * second however often the probe comes (one check in flight at a time), each given `timeoutMs` to answer.
 */
export class ReadinessProbe {
  readonly #checks: readonly ReadinessCheck[];
  readonly #timeoutMs: number;
  readonly #maxAgeMs: number;
  #last: { at: number; value: Readiness } | undefined;
  #pending: Promise<Readiness> | undefined;

  constructor(checks: readonly ReadinessCheck[], options: { timeoutMs?: number; maxAgeMs?: number } = {}) {
    this.#checks = checks;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
  }

  /** The latest readiness, checked again when older than a second. */
  current(): Promise<Readiness> {
    const last = this.#last;
    if (last && performance.now() - last.at < this.#maxAgeMs) return Promise.resolve(last.value);
    this.#pending ??= this.#run().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #run(): Promise<Readiness> {
    const down = await Promise.all(this.#checks.map((c) => this.#isDown(c)));
    const value: Readiness = { ready: true, failing: [], degraded: [] };
    this.#checks.forEach((c, i) => {
      if (!down[i]) return;
      if (c.whenDown === 'required') {
        value.ready = false;
        value.failing.push(c.name);
      } else value.degraded.push(c.name);
    });
    this.#last = { at: performance.now(), value };
    return value;
  }

  async #isDown(c: ReadinessCheck): Promise<boolean> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.#timeoutMs);
      timer.unref();
    });
    try {
      const answer = await Promise.race([c.check(controller.signal).then(() => 'up' as const), late]);
      if (answer === 'late') controller.abort();
      return answer === 'late';
    } catch {
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
