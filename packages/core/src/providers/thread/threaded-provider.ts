import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { CascadeAbortedError, InvalidConfigError, ProviderError } from '../../errors/errors.js';
import type {
  CompletionRequest,
  CompletionResponse,
  Provider,
  ProviderCapabilities,
  StreamDelta,
} from '../../types/provider.js';
import { type FromWorker, fromWire, type ToWorker } from './protocol.js';

/** Options of {@link ThreadedProvider}. */
export interface ThreadedProviderOptions {
  /**
   * The module the worker thread runs: it calls {@link serveProviderThread} with a function that builds the
   * provider. The provider packages ship one (`@cascadeflow/openai/provider-thread`).
   */
  entry: string | URL;
  /** Handed to that function in the worker: plain data (structured clone), no functions or clients. */
  options?: unknown;
  /** The provider's name, as the one in the worker has it. */
  name: string;
  /** Its capabilities. A batch API stays on the thread that owns it: build the provider there for batches. */
  capabilities: Omit<ProviderCapabilities, 'batch'>;
  /** Whether the provider in the worker enforces `timeoutMs` itself. */
  handlesTimeout?: boolean;
  /**
   * The same provider, built in this thread: a call runs here while this thread's event loop is mostly idle,
   * so that a call does not pay the hop between threads (tenths of a millisecond each way on a busy VM) when
   * nothing is gained by it, and goes to the worker when the event loop is busy.
   */
  inline?: Provider;
  /**
   * With `inline`: the share of the last 100 ms the event loop spent working (its utilization, 0 to 1) above
   * which calls go to the worker. Default 0.5.
   */
  offloadAbove?: number;
}

/** How long the event loop's utilization is measured over before it decides where calls run, in ms. */
const WINDOW_MS = 100;

/**
 * The process's Node options, which a worker inherits (a loader such as `--import tsx` with them), less
 * those that describe the main script and that a worker refuses (`--input-type` of `node -e`).
 */
function workerExecArgv(): string[] {
  const args: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') i++;
    else if (!arg.startsWith('--input-type')) args.push(arg);
  }
  return args;
}

/**
 * Starts a worker with the process's Node options. Those a worker refuses, which apply to the whole
 * process (`--max-old-space-size`, `--v8-pool-size`, `--title`: Node names them in
 * `ERR_WORKER_INVALID_EXEC_ARGV`), are left out: the process has them already.
 */
function startWorker(entry: string | URL, options: { workerData: unknown }): Worker {
  let execArgv = workerExecArgv();
  // Node names the refused flags a few at a time: each try leaves out more, until none is refused.
  for (;;) {
    try {
      return new Worker(entry, Object.assign({}, options, { execArgv }));
    } catch (error) {
      const refused = refusedFlags(error);
      const kept: string[] = [];
      for (let i = 0; i < execArgv.length; i++) {
        const arg = execArgv[i]!;
        if (!refused.has(arg)) kept.push(arg);
        // A refused flag given apart from its value (`--title x`) takes the value with it.
        else if (!arg.includes('=') && execArgv[i + 1]?.startsWith('-') === false) i++;
      }
      if (kept.length === execArgv.length) throw error;
      execArgv = kept;
    }
  }
}

/** The flags named by Node's `ERR_WORKER_INVALID_EXEC_ARGV`; none for any other error. */
function refusedFlags(error: unknown): Set<string> {
  if ((error as { code?: unknown })?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return new Set();
  const list = /flags: (.*)$/.exec((error as Error).message)?.[1] ?? '';
  return new Set(list.split(', ').filter(Boolean));
}

/** One call in flight. */
interface Call {
  model: string;
  signal: AbortSignal | undefined;
  resolve(value: CompletionResponse | undefined): void;
  reject(error: unknown): void;
  onDeltas?: (deltas: StreamDelta[]) => void;
}

/**
 * A provider that runs in a worker thread: the SDK's work for each call (building the request, the HTTP
 * client, parsing the answer) leaves the event loop that serves your users, which keeps only a message each
 * way. Behaves as the provider it runs: the same answers, deltas (log-probs included), typed errors
 * (`ProviderError` with its `status`, `retryable` and `retryAfterMs`), timeouts and aborts.
 *
 * With `inline` (the same provider built in this thread), a call runs here while the event loop is mostly
 * idle, and in the worker only when it is busy: the hop between threads costs latency. The worker starts at
 * the first call and holds the process open only while a call is in flight. If it dies, the calls in flight
 * fail as retryable `ProviderError`s and the next call starts a new one. Node options that a worker refuses
 * (`--max-old-space-size`, `--title`) are left out of the worker's. A worker that cannot start at all fails
 * each call with a non-retryable `ProviderError`, or with `inline`, leaves every call on this thread. The
 * provider packages build it for you (`threadedOpenAIProvider()`, `threadedAnthropicProvider()`).
 *
 * @example
 * ```ts
 * const provider = new ThreadedProvider({
 *   entry: new URL('./my-provider-thread.js', import.meta.url), // calls serveProviderThread(...)
 *   options: { baseURL: 'http://localhost:8000/v1' },
 *   name: 'vllm',
 *   capabilities: { streaming: true, logprobs: true, tools: true, jsonSchema: true },
 * });
 * const agent = new CascadeAgent({ providers: { vllm: provider }, ladder: [{ model: 'small', provider: 'vllm' }] });
 * ```
 */
export class ThreadedProvider implements Provider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  readonly handlesTimeout: boolean;
  readonly #entry: string | URL;
  readonly #options: unknown;
  readonly #inline: Provider | undefined;
  readonly #offloadAbove: number;
  /** The event loop's utilization over the last window, and where the window started. */
  #busy = 0;
  #window: EventLoopUtilization | undefined;
  #windowEnds = 0;
  readonly #calls = new Map<number, Call>();
  #worker: Worker | undefined;
  #next = 1;
  /** Why the worker could not build its provider: every call fails with it. */
  #fatal: string | undefined;

  constructor(options: ThreadedProviderOptions) {
    this.name = options.name;
    // A batch API does not cross threads, even when the capabilities given name one.
    const { batch: _batch, ...capabilities } = options.capabilities as ProviderCapabilities;
    this.capabilities = capabilities;
    this.handlesTimeout = options.handlesTimeout ?? false;
    this.#entry = options.entry;
    this.#options = options.options;
    this.#inline = options.inline;
    this.#offloadAbove = options.offloadAbove ?? 0.5;
  }

  /**
   * A `ThreadedProvider` for `here`, the provider built in this thread from the same `options` the worker
   * builds its own from: it takes `here`'s name, capabilities and timeout handling, and runs calls on `here`
   * while the event loop is mostly idle (unless `inline` is false). How the provider packages build theirs.
   *
   * @example
   * ```ts
   * const here = new OpenAIProvider(options);
   * const provider = ThreadedProvider.of(here, { entry: new URL('./provider-thread.js', import.meta.url), options });
   * ```
   */
  static of(
    here: Provider & { readonly capabilities: ProviderCapabilities },
    thread: { entry: string | URL; options?: unknown; inline?: boolean; offloadAbove?: number | undefined },
  ): ThreadedProvider {
    return new ThreadedProvider({
      entry: thread.entry,
      options: thread.options,
      name: here.name,
      capabilities: here.capabilities,
      handlesTimeout: here.handlesTimeout ?? false,
      ...(thread.inline === false ? {} : { inline: here }),
      ...(thread.offloadAbove === undefined ? {} : { offloadAbove: thread.offloadAbove }),
    });
  }

  complete(request: CompletionRequest): Promise<CompletionResponse> {
    const inline = this.#inlineNow();
    if (inline) return inline.complete(request);
    return this.#call('complete', request) as Promise<CompletionResponse>;
  }

  async streamEach(request: CompletionRequest, onDelta: (delta: StreamDelta) => void): Promise<void> {
    const inline = this.#inlineNow();
    if (!inline) await this.#call('stream', request, onDelta);
    else if (inline.streamEach) await inline.streamEach(request, onDelta);
    else for await (const delta of inline.stream(request)) onDelta(delta);
  }

  async *stream(request: CompletionRequest): AsyncIterable<StreamDelta> {
    const inline = this.#inlineNow();
    if (inline) {
      yield* inline.stream(request);
      return;
    }
    const queue: StreamDelta[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let failure: { error: unknown } | undefined;
    const stop = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
    this.#call('stream', Object.assign({}, request, { signal }), (delta) => {
      queue.push(delta);
      wake?.();
    }).then(
      () => {
        ended = true;
        wake?.();
      },
      (error: unknown) => {
        failure = { error };
        ended = true;
        wake?.();
      },
    );
    try {
      let read = 0;
      for (;;) {
        if (read < queue.length) {
          yield queue[read++]!;
          continue;
        }
        // Everything read: the queue starts again rather than keep the whole answer.
        queue.length = 0;
        read = 0;
        if (ended) {
          if (failure && !(stop.signal.aborted && !request.signal?.aborted)) throw failure.error;
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      // A consumer that stops reading ends the call in the worker.
      if (!ended) stop.abort();
    }
  }

  /** The provider to run the next call on this thread, while its event loop is mostly idle. */
  #inlineNow(): Provider | undefined {
    if (!this.#inline) return undefined;
    // The worker starts with the first call, ready for when the event loop gets busy.
    if (this.#fatal === undefined) this.#start();
    if (this.#fatal !== undefined) return this.#inline;
    const now = performance.now();
    if (now >= this.#windowEnds) {
      const since = performance.eventLoopUtilization();
      this.#busy = this.#window ? performance.eventLoopUtilization(since, this.#window).utilization : 0;
      this.#window = since;
      this.#windowEnds = now + WINDOW_MS;
    }
    return this.#busy > this.#offloadAbove ? undefined : this.#inline;
  }

  /**
   * Stops the worker. Calls in flight fail with a `ProviderError`; later calls start a new worker.
   *
   * @example
   * ```ts
   * await provider.close();
   * ```
   */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    this.#failAll('the provider thread was closed');
    await worker.terminate();
  }

  #call(
    mode: 'complete' | 'stream',
    request: CompletionRequest,
    onDelta?: (delta: StreamDelta) => void,
  ): Promise<CompletionResponse | undefined> {
    const { signal, ...req } = request;
    if (signal?.aborted) return Promise.reject(new CascadeAbortedError(signal.reason));
    const worker = this.#fatal === undefined ? this.#start() : undefined;
    if (!worker) return Promise.reject(this.#startError(req.model));
    const id = this.#next++;
    return new Promise<CompletionResponse | undefined>((resolve, reject) => {
      const onAbort = () => {
        if (this.#cancel(id, worker)) reject(new CascadeAbortedError(signal!.reason));
      };
      const settle = () => signal?.removeEventListener('abort', onAbort);
      const call: Call = {
        model: req.model,
        signal,
        resolve: (value) => {
          settle();
          resolve(value);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      if (onDelta)
        call.onDeltas = (deltas) => {
          try {
            for (const delta of deltas) onDelta(delta);
          } catch (error) {
            // A throw from onDelta closes the stream and rejects with that error.
            this.#cancel(id, worker);
            call.reject(error);
          }
        };
      try {
        worker.postMessage({ t: 'call', id, mode, req } satisfies ToWorker);
      } catch (error) {
        // Not plain data (a function, a class instance with private state): nothing was sent.
        reject(
          new InvalidConfigError(
            'request',
            `cannot be sent to the provider's worker thread (${error instanceof Error ? error.message : String(error)}): give it plain data`,
            'invalid_request',
          ),
        );
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#calls.size === 0) worker.ref();
      this.#calls.set(id, call);
    });
  }

  /**
   * The worker, started on first use; it keeps the process alive only while a call is in flight. None when
   * it cannot start (the reason is kept, and calls fail with it).
   */
  #start(): Worker | undefined {
    if (this.#worker) return this.#worker;
    let worker: Worker;
    try {
      worker = startWorker(this.#entry, { workerData: { options: this.#options } });
    } catch (error) {
      this.#fatal = `the worker did not start (${error instanceof Error ? error.message : String(error)})`;
      return undefined;
    }
    worker.unref();
    worker.on('message', (message: FromWorker) => this.#receive(message));
    worker.on('error', (error) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(`the provider thread failed (${error.message}); a new one starts at the next call`);
    });
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return; // closed, or replaced after an error
      this.#worker = undefined;
      this.#failAll(`the provider thread exited with code ${code}; a new one starts at the next call`);
    });
    this.#worker = worker;
    return worker;
  }

  #receive(message: FromWorker): void {
    if (message.t === 'fatal') {
      this.#fatal = message.message;
      const calls = [...this.#calls.values()];
      this.#calls.clear();
      this.#idle();
      for (const call of calls) call.reject(this.#startError(call.model));
      return;
    }
    const call = this.#calls.get(message.id);
    if (!call) return; // aborted already
    if (message.t === 'deltas') {
      call.onDeltas?.(message.deltas);
      return;
    }
    this.#calls.delete(message.id);
    this.#idle();
    if (message.t === 'error') call.reject(fromWire(message.error, call.signal));
    else call.resolve(message.t === 'done' ? message.res : undefined);
  }

  #startError(model: string): ProviderError {
    return new ProviderError({
      provider: this.name,
      model,
      message: `the provider could not be built in its worker thread: ${this.#fatal}. Check the options given to it.`,
      retryable: false,
    });
  }

  /** Forgets a call in flight and ends it in the worker; false when it had ended already. */
  #cancel(id: number, worker: Worker): boolean {
    if (!this.#calls.delete(id)) return false;
    this.#idle();
    worker.postMessage({ t: 'abort', id } satisfies ToWorker);
    return true;
  }

  /** Lets the process exit once no call is in flight. */
  #idle(): void {
    if (this.#calls.size === 0) this.#worker?.unref();
  }

  #failAll(message: string): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls)
      call.reject(new ProviderError({ provider: this.name, model: call.model, message, retryable: true }));
  }
}
