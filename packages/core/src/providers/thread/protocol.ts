import {
  CascadeAbortedError,
  CascadeFlowError,
  InvalidConfigError,
  ProviderError,
} from '../../errors/errors.js';
import type { CompletionRequest, CompletionResponse, StreamDelta } from '../../types/provider.js';
import { providerErrorDetail } from '../sdk-errors.js';

/** A call, from the thread that owns the provider to the worker that runs it. */
export type ToWorker =
  | { t: 'call'; id: number; mode: 'complete' | 'stream'; req: Omit<CompletionRequest, 'signal'> }
  | { t: 'abort'; id: number };

/** What the worker sends back. */
export type FromWorker =
  | { t: 'done'; id: number; res: CompletionResponse }
  | { t: 'deltas'; id: number; deltas: StreamDelta[] }
  | { t: 'end'; id: number }
  | { t: 'error'; id: number; error: WireError }
  | { t: 'fatal'; message: string };

/** An error as it crosses threads: structured clone keeps neither its class nor its own fields. */
export type WireError =
  | {
      kind: 'provider';
      code: string;
      provider: string;
      model: string;
      message: string;
      status: number | undefined;
      retryable: boolean;
      retryAfterMs: number | undefined;
      cause: string | undefined;
    }
  | { kind: 'aborted' }
  | { kind: 'config'; code: string; field: string; problem: string }
  | { kind: 'other'; name: string; message: string; code: string | undefined };

const causeText = (cause: unknown): string | undefined =>
  cause === undefined
    ? undefined
    : cause instanceof Error
      ? `${cause.name}: ${cause.message}`
      : String(cause);

/** The error a provider threw, as plain data. */
export function toWire(error: unknown): WireError {
  if (error instanceof ProviderError) {
    return {
      kind: 'provider',
      code: error.code,
      provider: error.provider,
      model: error.model,
      message: providerErrorDetail(error),
      status: error.status,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      cause: causeText(error.cause),
    };
  }
  if (error instanceof CascadeAbortedError) return { kind: 'aborted' };
  if (error instanceof InvalidConfigError)
    return { kind: 'config', code: error.code, field: error.field, problem: error.problem };
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    kind: 'other',
    name: e.name,
    message: e.message,
    code: CascadeFlowError.isInstance(e) ? e.code : undefined,
  };
}

/** The error again, of its own class with its own data; `signal` gives an abort its reason. */
export function fromWire(wire: WireError, signal: AbortSignal | undefined): Error {
  switch (wire.kind) {
    case 'provider':
      return new ProviderError({
        code: wire.code as 'provider_error',
        provider: wire.provider,
        model: wire.model,
        message: wire.message,
        status: wire.status,
        retryable: wire.retryable,
        retryAfterMs: wire.retryAfterMs,
        cause: wire.cause === undefined ? undefined : new Error(wire.cause),
      });
    case 'aborted':
      return new CascadeAbortedError(signal?.reason);
    case 'config':
      return new InvalidConfigError(wire.field, wire.problem, wire.code as 'invalid_config');
    default: {
      const error =
        wire.code === undefined ? new Error(wire.message) : new CascadeFlowError(wire.code, wire.message);
      error.name = wire.name;
      return error;
    }
  }
}
