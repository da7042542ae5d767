import {
  type CompletionRequest,
  type CompletionResponse,
  type Provider,
  ProviderError,
  type StreamDelta,
} from '@cascadeflow/core';
import type { RecordedQuestion } from '../dataset/records.js';

/** Options of {@link ReplayProvider}. */
export interface ReplayOptions {
  /** Provider name for the ladder; default `replay`. */
  name?: string;
  /** Sleep for each recorded latency (scaled by this factor). Default 0: answer at once. */
  latencyScale?: number;
}

function key(system: string, user: string): string {
  return `${system}\u0000${user}`;
}

function textOf(messages: CompletionRequest['messages'], role: 'system' | 'user'): string {
  const found =
    role === 'user'
      ? [...messages].reverse().find((m) => m.role === role)
      : messages.find((m) => m.role === role);
  return typeof found?.content === 'string' ? found.content : '';
}

/**
 * A provider that answers as recorded models did: the recorded answer, token usage, cost and (optionally)
 * latency. Confidence comes back the way a live model would give it:
 * - `ModelIntrinsicLogProb` records return the answer with its log-prob, for `logprobConfidence`.
 * - `AskModelConfidence` records answer a self-check call (the `selfCheck` validator's prompt) with "Y" at
 *   the recorded log-prob; the recorded cost already includes that call, so the self-check costs 0 here.
 * - A record with `raw_conf: null` returns no log-probs: the cascade must judge the text alone.
 *
 * @example
 * ```ts
 * const replay = new ReplayProvider(records);
 * const agent = new CascadeAgent({ providers: { replay: replay.bind(records[0]) }, ladder: [...] });
 * ```
 */
export class ReplayProvider implements Provider {
  readonly name: string;
  readonly #byPrompt = new Map<string, RecordedQuestion>();
  readonly #latencyScale: number;
  readonly #fixed: RecordedQuestion | undefined;

  constructor(records: readonly RecordedQuestion[], options: ReplayOptions = {}, fixed?: RecordedQuestion) {
    this.name = options.name ?? 'replay';
    this.#latencyScale = options.latencyScale ?? 0;
    this.#fixed = fixed;
    // Duplicate prompts keep the first record; use bind() to replay one record exactly.
    for (const r of records)
      if (!this.#byPrompt.has(key(r.systemPrompt, r.userPrompt)))
        this.#byPrompt.set(key(r.systemPrompt, r.userPrompt), r);
  }

  /** A provider that answers every request from this one record (exact even when prompts repeat). */
  bind(record: RecordedQuestion): ReplayProvider {
    return new ReplayProvider([], { name: this.name, latencyScale: this.#latencyScale }, record);
  }

  #find(req: CompletionRequest, question: string): RecordedQuestion {
    const record = this.#fixed ?? this.#byPrompt.get(key(textOf(req.messages, 'system'), question));
    if (!record) {
      throw new ProviderError({
        provider: this.name,
        model: req.model,
        status: 404,
        retryable: false,
        message: 'no recorded question matches this prompt',
      });
    }
    if (!(req.model in record.models)) {
      throw new ProviderError({
        provider: this.name,
        model: req.model,
        status: 404,
        retryable: false,
        message: `question ${record.idx} has no recorded answer from this model`,
      });
    }
    return record;
  }

  async complete(req: CompletionRequest): Promise<CompletionResponse> {
    const isSelfCheck = req.purpose === 'self-check';
    const question = isSelfCheck && req.about ? req.about.query : textOf(req.messages, 'user');
    const record = this.#find(req, question);
    const answer = record.models[req.model]!;
    if (this.#latencyScale > 0 && !isSelfCheck)
      await sleep(answer.latencyMs * this.#latencyScale, req.signal);
    const usage = { inputTokens: answer.tokensIn, outputTokens: answer.tokensOut, cachedInputTokens: 0 };
    if (isSelfCheck) {
      return {
        content: 'Y',
        toolCalls: [],
        finishReason: 'stop',
        usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
        cost: 0,
        model: req.model,
        ...(answer.rawConf !== null && record.signal === 'AskModelConfidence'
          ? { logprobs: [{ token: 'Y', logprob: answer.rawConf }] }
          : {}),
      };
    }
    return {
      content: answer.answer,
      toolCalls: [],
      finishReason: 'stop',
      usage,
      cost: answer.costUsd,
      model: req.model,
      ...(answer.rawConf !== null && record.signal === 'ModelIntrinsicLogProb'
        ? { logprobs: [{ token: answer.answer, logprob: answer.rawConf }] }
        : {}),
    };
  }

  async *stream(req: CompletionRequest): AsyncGenerator<StreamDelta> {
    const res = await this.complete(req);
    yield { type: 'text', text: res.content, ...(res.logprobs ? { logprobs: res.logprobs } : {}) };
    yield {
      type: 'finish',
      finishReason: res.finishReason,
      usage: res.usage,
      model: res.model,
      ...(res.cost !== undefined ? { cost: res.cost } : {}),
    };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
