import { CascadeFlowError } from '@cascadeflow/core';

/**
 * A stream produced nothing for `stallTimeoutMs`: it was aborted rather than left hanging.
 *
 * @example
 * ```ts
 * streamCascade(agent, req, { stallTimeoutMs: 10_000 }).subscribe({ error: (e) => e instanceof StreamStallError && retry() });
 * ```
 */
export class StreamStallError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.streaming.StreamStallError';
  readonly stallTimeoutMs: number;
  readonly model: string | undefined;
  constructor(stallTimeoutMs: number, model: string | undefined) {
    super(
      'stream_stalled',
      `No token for ${stallTimeoutMs} ms${model ? ` from ${model}` : ''}; the stream was aborted. Raise \`stallTimeoutMs\` for slow models.`,
    );
    this.name = 'StreamStallError';
    this.stallTimeoutMs = stallTimeoutMs;
    this.model = model;
  }
}
