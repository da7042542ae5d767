import { AnthropicProvider } from '@cascadeflow/anthropic';
import { CascadeAgent, type CascadeAgentOptions, type TierOptions } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { type ModelScript, startTestServer } from '@cascadeflow/testing';
import { lastValueFrom, type Observable, toArray } from 'rxjs';
import type { CascadeStreamEvent } from '../src/index.js';

export const CONFIDENT = -0.01;
export const UNSURE = -1.5;

export async function setup(models: Record<string, ModelScript>) {
  const server = await startTestServer({ models });
  const providers = {
    openai: new OpenAIProvider({ apiKey: 'test', baseURL: server.openaiBaseURL }),
    anthropic: new AnthropicProvider({ apiKey: 'test', baseURL: server.anthropicBaseURL }),
  };
  const agent = (ladder: TierOptions[], options: Partial<CascadeAgentOptions> = {}) =>
    new CascadeAgent({ providers, ladder, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options });
  return { server, providers, agent };
}

export const all = (o: Observable<CascadeStreamEvent>) => lastValueFrom(o.pipe(toArray()));

/** A compact trace of events: type, plus text or model where it helps reading the order. */
export function trace(events: CascadeStreamEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'text':
        return `text:${e.model}:${e.text.trim()}`;
      case 'decision':
        return `decision:${e.model}:${e.status}`;
      case 'retract':
        return `retract:${e.model}`;
      case 'switch':
        return `switch:${e.from.model}>${e.to.model}`;
      case 'attempt_start':
        return `start:${e.model}`;
      case 'mode':
        return `mode:${e.mode}`;
      default:
        return e.type;
    }
  });
}
