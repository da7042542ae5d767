import { InvalidConfigError, type Provider } from '@cascadeflow/core';
import type { ModerationCategory, Moderator } from './categories.js';

/** The hazard categories of Llama Guard 3 (MLCommons taxonomy), mapped onto the moderation categories. */
export const LLAMA_GUARD_CATEGORIES: Record<string, { name: string; maps: ModerationCategory[] }> = {
  S1: { name: 'Violent Crimes', maps: ['violence', 'illicit/violent'] },
  S2: { name: 'Non-Violent Crimes', maps: ['illicit'] },
  S3: { name: 'Sex-Related Crimes', maps: ['sexual'] },
  S4: { name: 'Child Sexual Exploitation', maps: ['sexual/minors'] },
  S5: { name: 'Defamation', maps: ['harassment'] },
  S6: { name: 'Specialized Advice', maps: [] },
  S7: { name: 'Privacy', maps: [] },
  S8: { name: 'Intellectual Property', maps: [] },
  S9: { name: 'Indiscriminate Weapons', maps: ['illicit/violent'] },
  S10: { name: 'Hate', maps: ['hate'] },
  S11: { name: 'Suicide & Self-Harm', maps: ['self-harm'] },
  S12: { name: 'Sexual Content', maps: ['sexual'] },
  S13: { name: 'Elections', maps: [] },
  S14: { name: 'Code Interpreter Abuse', maps: [] },
};

/**
 * The instruction a general chat model gets in `instructed` mode: Llama Guard 3's own task prompt, so that
 * any model answers in its format. `{text}` is the text to classify.
 */
export const GUARD_PROMPT = `Task: Check if there is unsafe content in 'User' messages in conversations according to our safety policy with the below categories.

<BEGIN UNSAFE CONTENT CATEGORIES>
${Object.entries(LLAMA_GUARD_CATEGORIES)
  .map(([id, c]) => `${id}: ${c.name}.`)
  .join('\n')}
<END UNSAFE CONTENT CATEGORIES>

<BEGIN CONVERSATION>

User: {text}

<END CONVERSATION>

Provide your safety assessment for ONLY THE LAST User message in the above conversation:
 - First line must read 'safe' or 'unsafe'.
 - If unsafe, a second line must include a comma-separated list of violated categories.`;

/** Options of {@link ChatModelModerator}. */
export interface ChatModelModeratorOptions {
  /** Any provider of the ladder (OpenAI-compatible for Ollama or vLLM, Anthropic, …). */
  provider: Provider;
  /** `llama-guard3`, `llama-guard3:1b`, `shieldgemma`, or any chat model in `instructed` mode. */
  model: string;
  /**
   * `guard` (default): the text is sent as the user message and the model's own chat template asks the
   * question (Llama Guard through Ollama or vLLM). `instructed`: the text is wrapped in {@link GUARD_PROMPT},
   * for a general chat model.
   */
  mode?: 'guard' | 'instructed';
  /** Per-call timeout in ms (default 10000). */
  timeoutMs?: number;
}

/**
 * A moderator that asks a chat model with Llama Guard's protocol: the reply's first line is `safe` or
 * `unsafe`, the second the violated categories (`S1,S10`), mapped onto the moderation categories (score 1
 * for each). A reply in any other shape throws, naming the model and the reply, so that the plugin falls
 * back to the local moderator and says so (`moderation:fallback`).
 *
 * @example
 * ```ts
 * const moderator = new ChatModelModerator({ provider: new OpenAIProvider({ baseURL: 'http://localhost:11434/v1', apiKey: 'ollama' }), model: 'llama-guard3' });
 * const guardrails = guardrailsPlugin({ moderator });
 * ```
 */
export class ChatModelModerator implements Moderator {
  readonly name: string;
  readonly #options: ChatModelModeratorOptions;

  constructor(options: ChatModelModeratorOptions) {
    if (!options.model) throw new InvalidConfigError('model', 'name the guard model (e.g. "llama-guard3")');
    this.#options = options;
    this.name = `model:${options.model}`;
  }

  async moderate(text: string, signal?: AbortSignal): Promise<Partial<Record<ModerationCategory, number>>> {
    const { provider, model, mode = 'guard', timeoutMs = 10_000 } = this.#options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const r = await provider.complete({
      model,
      messages: [{ role: 'user', content: mode === 'guard' ? text : GUARD_PROMPT.replace('{text}', text) }],
      maxTokens: 20,
      temperature: 0,
      purpose: 'moderation',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const [verdict = '', codes = ''] = r.content.trim().split(/\r?\n/);
    const scores: Partial<Record<ModerationCategory, number>> = {};
    if (/^safe\b/i.test(verdict.trim())) return scores;
    if (!/^unsafe\b/i.test(verdict.trim()))
      throw new Error(
        `moderation model "${model}" replied ${JSON.stringify(r.content.slice(0, 80))}, not "safe" or "unsafe"; use a guard model or mode "instructed"`,
      );
    for (const code of codes.split(/[,\s]+/).filter(Boolean)) {
      for (const c of LLAMA_GUARD_CATEGORIES[code.toUpperCase()]?.maps ?? []) scores[c] = 1;
    }
    return scores;
  }
}
