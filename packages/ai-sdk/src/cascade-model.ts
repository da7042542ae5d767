import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3StreamPart,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import type { CascadeAgent, CascadeResult, RunRequest } from '@cascadeflow/core';
import { type ModeOption, streamCascade } from '@cascadeflow/streaming';
import { fromCallOptions, toFinishReason, toMessages, toUsage } from './prompt.js';

/** Options of {@link cascadeModel}. */
export interface CascadeModelOptions {
  /** The model id the AI SDK reports. Default `cascade`. */
  modelId?: string;
  /**
   * How `streamText` streams: `buffer` (default: a draft's text is held until it is accepted, so a rejected
   * draft is never shown), `stream` (live, with no way to take back a rejected draft's text: the AI SDK has no
   * retract), or `auto`.
   */
  streamMode?: ModeOption;
  /** Extra fields of every run (a `userId`, per-request thresholds, handoffs to plugins). */
  request?: Omit<RunRequest, 'messages' | 'query' | 'signal' | 'onDelta' | 'onEvent'>;
}

/** What the cascade did, as the AI SDK's provider metadata (`result.providerMetadata.cascadeflow`). */
function metadataOf(r: CascadeResult): SharedV3ProviderMetadata {
  return {
    cascadeflow: {
      runId: r.runId,
      model: r.model,
      tier: r.tier.index,
      tiersTried: r.attempts.map((a) => a.model),
      decisions: r.attempts.map((a) => ({ model: a.model, status: a.status, score: a.score })),
      costUsd: r.totalCost,
      baselineCostUsd: r.baselineCost,
      savingUsd: r.saving,
      escalations: r.escalations,
      degraded: r.degraded,
    },
  };
}

function contentOf(r: CascadeResult): LanguageModelV3Content[] {
  return [
    ...(r.content ? [{ type: 'text' as const, text: r.content }] : []),
    ...r.toolCalls.map((c) => ({
      type: 'tool-call' as const,
      toolCallId: c.id,
      toolName: c.name,
      input: c.arguments,
    })),
  ];
}

/**
 * The cascade as a Vercel AI SDK language model (specification v3, the one of `ai` 6): `generateText`,
 * `streamText`, `generateObject` and tool calling work with `model: cascadeModel(agent)` unchanged. Every
 * call runs through the agent (its plugins included); what the cascade did is in the result's
 * `providerMetadata.cascadeflow` (tiers tried, decisions, cost, saving).
 *
 * @example
 * ```ts
 * import { generateText } from 'ai';
 * import { cascadeModel } from '@cascadeflow/ai-sdk';
 * const { text, providerMetadata } = await generateText({ model: cascadeModel(agent), prompt: 'Why is the sky blue?' });
 * ```
 */
export function cascadeModel(agent: CascadeAgent, options: CascadeModelOptions = {}): LanguageModelV3 {
  const request = (o: LanguageModelV3CallOptions) => {
    const { tools, toolChoice, responseFormat, sampling, warnings } = fromCallOptions(o);
    const run: RunRequest = Object.assign(
      {},
      options.request,
      { messages: toMessages(o.prompt) },
      o.maxOutputTokens !== undefined ? { maxTokens: o.maxOutputTokens } : {},
      o.temperature !== undefined ? { temperature: o.temperature } : {},
      sampling ? { sampling } : {},
      tools ? { tools } : {},
      toolChoice ? { toolChoice } : {},
      responseFormat ? { responseFormat } : {},
      o.abortSignal ? { signal: o.abortSignal } : {},
    );
    return { run, warnings };
  };
  return {
    specificationVersion: 'v3',
    provider: 'cascadeflow',
    modelId: options.modelId ?? 'cascade',
    supportedUrls: {},

    async doGenerate(o) {
      const { run, warnings } = request(o);
      const r = await agent.run(run);
      return {
        content: contentOf(r),
        finishReason: toFinishReason(r.finishReason),
        usage: toUsage(r.usage),
        providerMetadata: metadataOf(r),
        response: { id: r.runId, modelId: r.model, timestamp: new Date(r.timings.startedAt) },
        warnings,
      };
    },

    async doStream(o) {
      const { run, warnings } = request(o);
      const events = streamCascade(agent, run, { mode: options.streamMode ?? 'buffer' });
      let subscription: { unsubscribe(): void } | undefined;
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        start(controller) {
          controller.enqueue({ type: 'stream-start', warnings });
          let textOpen = false;
          let textId = 0;
          const calls = new Map<number, { id: string; name: string; args: string; started: boolean }>();
          subscription = events.subscribe({
            next(e) {
              if (e.type === 'text') {
                if (!textOpen) {
                  textOpen = true;
                  controller.enqueue({ type: 'text-start', id: String(textId) });
                }
                controller.enqueue({ type: 'text-delta', id: String(textId), delta: e.text });
              } else if (e.type === 'tool_call') {
                const call = calls.get(e.index) ?? {
                  id: e.id ?? `call_${e.index}`,
                  name: e.name ?? '',
                  args: '',
                  started: false,
                };
                if (e.id) call.id = e.id;
                if (e.name) call.name = e.name;
                if (!call.started && call.name) {
                  call.started = true;
                  controller.enqueue({ type: 'tool-input-start', id: call.id, toolName: call.name });
                }
                if (e.argumentsDelta) {
                  call.args += e.argumentsDelta;
                  if (call.started)
                    controller.enqueue({ type: 'tool-input-delta', id: call.id, delta: e.argumentsDelta });
                }
                calls.set(e.index, call);
              } else if (e.type === 'retract') {
                // A rejected draft (stream mode only): what follows is the next tier's answer.
                if (textOpen) controller.enqueue({ type: 'text-end', id: String(textId++) });
                textOpen = false;
                calls.clear();
              } else if (e.type === 'finish') {
                const r = e.result;
                if (textOpen) controller.enqueue({ type: 'text-end', id: String(textId) });
                for (const c of r.toolCalls) {
                  controller.enqueue({ type: 'tool-input-end', id: c.id });
                  controller.enqueue({
                    type: 'tool-call',
                    toolCallId: c.id,
                    toolName: c.name,
                    input: c.arguments,
                  });
                }
                controller.enqueue({
                  type: 'response-metadata',
                  id: r.runId,
                  modelId: r.model,
                  timestamp: new Date(r.timings.startedAt),
                });
                controller.enqueue({
                  type: 'finish',
                  finishReason: toFinishReason(r.finishReason),
                  usage: toUsage(r.usage),
                  providerMetadata: metadataOf(r),
                });
              }
            },
            error(error) {
              controller.enqueue({ type: 'error', error });
              controller.close();
            },
            complete() {
              controller.close();
            },
          });
        },
        cancel() {
          subscription?.unsubscribe();
        },
      });
      return { stream };
    },
  };
}
