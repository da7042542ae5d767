import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveDemo } from './helpers.js';

const english = Array.from({ length: 60 }, (_, i) => `word${i} `);
const chinese = Array.from({ length: 60 }, () => '北京是首都。');
let live: Awaited<ReturnType<typeof startLiveDemo>>;

beforeAll(async () => {
  // One tier: its answer is accepted as it streams, through the gateway's output guardrails.
  live = await startLiveDemo(
    {
      small: ({ body }) => {
        const tokens = JSON.stringify(body.messages).includes('中文') ? chinese : english;
        return { content: tokens.join(''), tokens, tokenDelayMs: 10 };
      },
      big: { content: 'unused' },
    },
    { ladder: ['small'] },
  );
});
afterAll(async () => live?.stop());

describe('a streamed answer goes through the output guardrails as it arrives', () => {
  for (const [language, tokens] of [
    ['English', english],
    ['Chinese, which has no spaces', chinese],
  ] as const) {
    it(`${language}: in many deltas, not held to the end`, async () => {
      const client = new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${live.demo.url}/v1`, maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: 'cascade',
        stream: true,
        messages: [{ role: 'user', content: language.startsWith('Chinese') ? '中文' : 'English' }],
      });
      const deltas: string[] = [];
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta.content;
        if (text) deltas.push(text);
      }
      expect(deltas.join('')).toBe(tokens.join(''));
      // The redactor held 416 characters before, so an answer of this length came in one or two deltas.
      expect(deltas.length).toBeGreaterThan(5);
      expect(deltas[0]!.length).toBeLessThan(200);
    });
  }
});
