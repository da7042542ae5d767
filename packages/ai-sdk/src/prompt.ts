import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FinishReason,
  LanguageModelV3Prompt,
  LanguageModelV3ToolResultOutput,
  LanguageModelV3Usage,
  SharedV3Warning,
} from '@ai-sdk/provider';
import type {
  ChatMessage,
  FinishReason,
  ImageInput,
  ResponseFormat,
  SamplingOptions,
  ToolChoice,
  ToolDefinition,
  Usage,
} from '@cascadeflow/core';
import { InvalidConfigError, imageData } from '@cascadeflow/core';

function outputText(o: LanguageModelV3ToolResultOutput): string {
  switch (o.type) {
    case 'text':
    case 'error-text':
      return o.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(o.value);
    case 'execution-denied':
      return `execution denied${o.reason ? `: ${o.reason}` : ''}`;
    default:
      return JSON.stringify(o);
  }
}

/** An image file part as a CascadeFlow image (a URL, or a data URL of its bytes); undefined for other files. */
function imageOf(p: {
  type: 'file';
  data: Uint8Array | string | URL;
  mediaType: string;
}): ImageInput | undefined {
  if (!/^image\/(?:png|jpeg|gif|webp|\*)$/i.test(p.mediaType)) return undefined;
  if (p.data instanceof URL) return { url: p.data.href };
  if (typeof p.data === 'string' && /^(?:https?:|data:)/i.test(p.data)) return { url: p.data };
  if (p.mediaType === 'image/*') return undefined; // bytes of an unknown image type
  const base64 = typeof p.data === 'string' ? p.data : Buffer.from(p.data).toString('base64');
  return { url: `data:${p.mediaType.toLowerCase()};base64,${base64}` };
}

/** An image as an AI SDK file part. */
function filePart(image: ImageInput): { type: 'file'; data: URL | string; mediaType: string } {
  const data = imageData(image);
  return data
    ? { type: 'file', data: data.base64, mediaType: data.mediaType }
    : { type: 'file', data: new URL(image.url), mediaType: 'image/*' };
}

/**
 * An AI SDK prompt as CascadeFlow messages: images (file parts of png, jpeg, gif or webp, by URL or bytes)
 * travel with their user message; a part CascadeFlow cannot carry (other files) is refused by name.
 */
export function toMessages(prompt: LanguageModelV3Prompt): ChatMessage[] {
  const out: ChatMessage[] = [];
  prompt.forEach((m, i) => {
    if (m.role === 'system') {
      out.push({ role: 'system', content: m.content });
      return;
    }
    if (m.role === 'user') {
      const text: string[] = [];
      const images: ImageInput[] = [];
      m.content.forEach((p, j) => {
        if (p.type === 'text') text.push(p.text);
        else {
          // User parts are text and files only.
          const image = imageOf(p);
          if (!image)
            throw new InvalidConfigError(
              `prompt.${i}.content.${j}`,
              `a ${p.mediaType} file part is not supported by the cascade; send text or a png, jpeg, gif or webp image`,
              'invalid_request',
            );
          images.push(image);
        }
      });
      out.push({ role: 'user', content: text.join(''), ...(images.length ? { images } : {}) });
      return;
    }
    if (m.role === 'assistant') {
      let content = '';
      const toolCalls: { id: string; name: string; arguments: string }[] = [];
      for (const p of m.content) {
        if (p.type === 'text') content += p.text;
        else if (p.type === 'tool-call')
          toolCalls.push({
            id: p.toolCallId,
            name: p.toolName,
            arguments: typeof p.input === 'string' ? p.input : JSON.stringify(p.input),
          });
      }
      out.push({ role: 'assistant', content: content || null, ...(toolCalls.length ? { toolCalls } : {}) });
      return;
    }
    for (const p of m.content)
      if (p.type === 'tool-result')
        out.push({ role: 'tool', toolCallId: p.toolCallId, content: outputText(p.output) });
  });
  return out;
}

/** The call options the cascade takes (sampling controls too), and a warning for each it cannot honour. */
export function fromCallOptions(o: LanguageModelV3CallOptions): {
  tools: ToolDefinition[] | undefined;
  toolChoice: ToolChoice | undefined;
  responseFormat: ResponseFormat | undefined;
  sampling: SamplingOptions | undefined;
  warnings: SharedV3Warning[];
} {
  const warnings: SharedV3Warning[] = [];
  const sampling = samplingOf(o);
  const tools: ToolDefinition[] = [];
  for (const t of o.tools ?? []) {
    if (t.type === 'function')
      tools.push({
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.inputSchema as Record<string, unknown>,
      });
    else warnings.push({ type: 'unsupported', feature: `provider tool ${t.id}` });
  }
  const c = o.toolChoice;
  const toolChoice: ToolChoice | undefined =
    c === undefined ? undefined : c.type === 'tool' ? { name: c.toolName } : c.type;
  const f = o.responseFormat;
  const responseFormat: ResponseFormat | undefined =
    f?.type === 'json'
      ? f.schema
        ? { type: 'json_schema', name: f.name ?? 'response', schema: f.schema as Record<string, unknown> }
        : { type: 'json_object' }
      : undefined;
  return { tools: tools.length ? tools : undefined, toolChoice, responseFormat, sampling, warnings };
}

/** The AI SDK's sampling options in CascadeFlow's shape (they share names but for the stop sequences). */
export function samplingOf(
  o: Pick<
    LanguageModelV3CallOptions,
    'topP' | 'topK' | 'stopSequences' | 'seed' | 'frequencyPenalty' | 'presencePenalty'
  >,
): SamplingOptions | undefined {
  const sampling: SamplingOptions = {};
  if (o.topP !== undefined) sampling.topP = o.topP;
  if (o.topK !== undefined) sampling.topK = o.topK;
  if (o.stopSequences?.length) sampling.stopSequences = o.stopSequences;
  if (o.seed !== undefined) sampling.seed = o.seed;
  if (o.frequencyPenalty !== undefined) sampling.frequencyPenalty = o.frequencyPenalty;
  if (o.presencePenalty !== undefined) sampling.presencePenalty = o.presencePenalty;
  return Object.keys(sampling).length ? sampling : undefined;
}

/** A CascadeFlow finish reason in the AI SDK's words. */
export function toFinishReason(r: FinishReason): LanguageModelV3FinishReason {
  const unified =
    r === 'tool_calls'
      ? 'tool-calls'
      : r === 'content_filter'
        ? 'content-filter'
        : r === 'length'
          ? 'length'
          : r === 'stop'
            ? 'stop'
            : 'other';
  return { unified, raw: r };
}

/** CascadeFlow usage in the AI SDK's words. */
export function toUsage(u: Usage): LanguageModelV3Usage {
  return {
    inputTokens: {
      total: u.inputTokens,
      noCache: u.inputTokens - u.cachedInputTokens,
      cacheRead: u.cachedInputTokens,
      cacheWrite: undefined,
    },
    outputTokens: { total: u.outputTokens, text: u.outputTokens, reasoning: undefined },
  };
}

/** An AI SDK finish reason in CascadeFlow's words. */
export function fromFinishReason(r: LanguageModelV3FinishReason): FinishReason {
  switch (r.unified) {
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    case 'length':
    case 'stop':
      return r.unified;
    default:
      return 'other';
  }
}

/** AI SDK usage in CascadeFlow's words. */
export function fromUsage(u: LanguageModelV3Usage): Usage {
  return {
    inputTokens: u.inputTokens.total ?? 0,
    outputTokens: u.outputTokens.total ?? 0,
    cachedInputTokens: u.inputTokens.cacheRead ?? 0,
  };
}

/** CascadeFlow messages as an AI SDK prompt (for an AI SDK model used as a tier). */
export function toPrompt(messages: readonly ChatMessage[]): LanguageModelV3Prompt {
  const names = new Map<string, string>();
  return messages.map((m) => {
    if (m.role === 'system') return { role: 'system', content: m.content };
    if (m.role === 'user')
      return {
        role: 'user',
        content: [
          ...(m.content || !m.images?.length ? [{ type: 'text' as const, text: m.content }] : []),
          ...(m.images ?? []).map(filePart),
        ],
      };
    if (m.role === 'assistant') {
      for (const c of m.toolCalls ?? []) names.set(c.id, c.name);
      return {
        role: 'assistant',
        content: [
          ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
          ...(m.toolCalls ?? []).map((c) => ({
            type: 'tool-call' as const,
            toolCallId: c.id,
            toolName: c.name,
            input: c.arguments,
          })),
        ],
      };
    }
    return {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: m.toolCallId,
          toolName: names.get(m.toolCallId) ?? 'tool',
          output: { type: 'text', value: m.content },
        },
      ],
    };
  });
}
