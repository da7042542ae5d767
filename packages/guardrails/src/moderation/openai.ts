import OpenAI from 'openai';
import type { ModerationCategory, Moderator } from './categories.js';

/** Options of {@link OpenAIModerator}. */
export interface OpenAIModeratorOptions {
  apiKey?: string;
  baseURL?: string;
  client?: OpenAI;
  /** Default `omni-moderation-latest`. */
  model?: string;
  /** Default 5000 ms: a slow API falls back to the local classifier rather than holding the request. */
  timeoutMs?: number;
}

/**
 * OpenAI's moderation endpoint through the official SDK.
 *
 * @example
 * ```ts
 * const moderator = new OpenAIModerator({ apiKey: process.env.OPENAI_API_KEY });
 * ```
 */
export class OpenAIModerator implements Moderator {
  readonly name = 'openai';
  readonly #client: OpenAI;
  readonly #model: string;
  readonly #timeoutMs: number;

  constructor(options: OpenAIModeratorOptions = {}) {
    this.#client =
      options.client ??
      new OpenAI({
        apiKey: options.apiKey ?? process.env.OPENAI_API_KEY ?? 'missing-api-key',
        baseURL: options.baseURL,
        maxRetries: 0,
        logLevel: 'off',
      });
    this.#model = options.model ?? 'omni-moderation-latest';
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  async moderate(text: string, signal?: AbortSignal): Promise<Partial<Record<ModerationCategory, number>>> {
    const res = await this.#client.moderations.create(
      { model: this.#model, input: text },
      { signal, timeout: this.#timeoutMs, maxRetries: 0 },
    );
    const first = res.results?.[0];
    if (!first) throw new Error('The moderation response has no results.');
    return first.category_scores as unknown as Partial<Record<ModerationCategory, number>>;
  }
}
