import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { countingFor, inputTokenBound } from '../src/tokens.js';
import { MULTILINGUAL } from './scenarios.js';

describe('input token bound', () => {
  it('uses the model’s own tokenizer where it is known, UTF-8 bytes elsewhere', () => {
    expect(countingFor('gpt-4o-mini')).toBe('o200k_base');
    expect(countingFor('gpt-4.1-nano')).toBe('o200k_base');
    expect(countingFor('gpt-4-turbo')).toBe('cl100k_base');
    expect(countingFor('claude-sonnet-4-20250514')).toBe('utf8-bytes');
    expect(countingFor('llama3.2:3b')).toBe('utf8-bytes');
  });

  it('is never below what OpenAI counts, nor below one token per character elsewhere, in any script', async () => {
    for (const text of MULTILINGUAL) {
      const messages = [
        { role: 'system' as const, content: 'Be brief.' },
        { role: 'user' as const, content: text },
      ];
      const openai = 3 + messages.reduce((n, m) => n + 3 + countTokens(m.content), 0);
      expect(
        await inputTokenBound('gpt-4o-mini', { messages, tools: undefined, responseFormat: undefined }),
      ).toBeGreaterThanOrEqual(openai);
      const chars = messages.reduce((n, m) => n + [...m.content].length, 0);
      expect(
        await inputTokenBound('claude-3-5-haiku', { messages, tools: undefined, responseFormat: undefined }),
      ).toBeGreaterThanOrEqual(chars);
      // The old estimate (4 characters a token) was far below on CJK text.
      if (/[\u4e00-\u9fff]/.test(text)) expect(Math.ceil(chars / 4)).toBeLessThan(openai);
    }
  });

  it('special-token text in the input is counted as text, not refused', async () => {
    const messages = [{ role: 'user' as const, content: 'a <|endoftext|> b' }];
    expect(
      await inputTokenBound('gpt-4o', { messages, tools: undefined, responseFormat: undefined }),
    ).toBeGreaterThan(5);
  });
});
