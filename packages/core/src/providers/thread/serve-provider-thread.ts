import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { InvalidConfigError } from '../../errors/errors.js';
import type { Provider, StreamDelta } from '../../types/provider.js';
import { type FromWorker, type ToWorker, toWire } from './protocol.js';

/**
 * Serves a provider to the {@link ThreadedProvider} that started this worker thread: call it in the
 * worker's entry module with a function that builds the provider from the options the `ThreadedProvider`
 * was given. Deltas of one network chunk cross in one message. Throws when called outside such a worker.
 *
 * @example
 * ```ts
 * // my-provider-thread.ts, the `entry` of a ThreadedProvider
 * import { serveProviderThread } from '@cascadeflow/core/thread';
 * import { OpenAIProvider } from '@cascadeflow/openai';
 * serveProviderThread((options: { baseURL: string }) => new OpenAIProvider({ name: 'vllm', ...options }));
 * ```
 */
export function serveProviderThread<O>(build: (options: O) => Provider | Promise<Provider>): void {
  const port = parentPort;
  if (isMainThread || !port)
    throw new InvalidConfigError(
      'serveProviderThread',
      'runs only in the worker thread a ThreadedProvider starts (pass this module as its `entry`)',
    );
  const post = (message: FromWorker) => port.postMessage(message);
  const provider = Promise.resolve()
    .then(() => build((workerData as { options: O }).options))
    .catch((error: unknown) => {
      post({ t: 'fatal', message: error instanceof Error ? error.message : String(error) });
      return undefined;
    });
  const running = new Map<number, AbortController>();
  port.on('message', (message: ToWorker) => {
    if (message.t === 'abort') {
      running.get(message.id)?.abort();
      running.delete(message.id);
      return;
    }
    const { id } = message;
    const controller = new AbortController();
    running.set(id, controller);
    const fail = (error: unknown) => {
      running.delete(id);
      post({ t: 'error', id, error: toWire(error) });
    };
    void provider.then((p) => {
      if (!p || !running.has(id)) return;
      const req = Object.assign({}, message.req, { signal: controller.signal });
      if (message.mode === 'complete') {
        // A provider that throws at once (not in its promise) fails this call alone.
        Promise.resolve()
          .then(() => p.complete(req))
          .then((res) => {
            running.delete(id);
            post({ t: 'done', id, res });
          }, fail);
        return;
      }
      // The deltas of one network chunk arrive in one turn: they cross in one message.
      let batch: StreamDelta[] | undefined;
      const flush = () => {
        const deltas = batch;
        batch = undefined;
        if (deltas && running.has(id)) post({ t: 'deltas', id, deltas });
      };
      const push = (delta: StreamDelta) => {
        if (!batch) {
          batch = [];
          queueMicrotask(flush);
        }
        batch.push(delta);
      };
      const streamed = Promise.resolve().then(() =>
        p.streamEach
          ? p.streamEach(req, push)
          : (async () => {
              for await (const delta of p.stream(req)) push(delta);
            })(),
      );
      streamed.then(
        () => {
          flush();
          running.delete(id);
          post({ t: 'end', id });
        },
        (error: unknown) => {
          flush();
          fail(error);
        },
      );
    });
  });
}
