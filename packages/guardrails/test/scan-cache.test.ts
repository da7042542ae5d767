import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { type ModelScript, startTestServer, type TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { guardrailsPlugin, OpenAIModerator, type PiiMatch } from '../src/index.js';
import { scanPii } from '../src/pii/scan.js';
import { ScanCache } from '../src/pii/scan-cache.js';

let server: TestServer | undefined;
afterEach(async () => server?.close());

const LONG = `${'You are a careful assistant. Keep answers short. '.repeat(20)}Write to ops@example.com on failure.`;

describe('ScanCache', () => {
  it('finds what scanPii finds, and keeps a long text’s matches, frozen', () => {
    const cache = new ScanCache({});
    const first = cache.scan(LONG);
    expect(first).toEqual(scanPii(LONG, {}));
    expect(first.map((m) => m.type)).toEqual(['email']);
    expect(cache.scan(`${LONG}`)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first[0])).toBe(true);
    // A short text is scanned each time, not kept.
    cache.scan('Mail bob@example.org');
    expect(cache.size).toBe(1);
  });

  it('lets the least recently used texts go beyond its size', () => {
    const cache = new ScanCache({}, { minChars: 10, maxChars: 100 });
    const text = (c: string) => c.repeat(40);
    cache.scan(text('a'));
    cache.scan(text('b'));
    cache.scan(text('a')); // a is now the most recent
    cache.scan(text('c')); // 120 characters: b goes
    expect(cache.size).toBe(2);
    const calls: string[] = [];
    const spy = new ScanCache(
      {
        external: [
          (t: string): PiiMatch[] => {
            calls.push(t[0]!);
            return [];
          },
        ],
      },
      { minChars: 10, maxChars: 100 },
    );
    for (const c of ['a', 'b', 'a', 'c', 'a', 'b']) spy.scan(text(c));
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });
});

describe('the input scan of a conversation sent again', () => {
  it('scans a long system prompt once across runs, and each run still gets its own placeholders back', async () => {
    const echo: ModelScript = ({ body }) => ({
      content: `Noted: ${(body.messages as { content: string }[]).at(-1)!.content}`,
      logprobs: -0.01,
    });
    server = await startTestServer({ models: { 'gpt-4o-mini': echo, 'gpt-4o': echo } });
    let scans = 0;
    const counting = (t: string): PiiMatch[] => {
      if (t.startsWith('You are a careful')) scans++;
      return [];
    };
    const agent = new CascadeAgent({
      providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
      ladder: [
        { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.5 },
        { model: 'gpt-4o', provider: 'openai' },
      ],
      plugins: [
        guardrailsPlugin({
          settings: { moderation: { input: false, output: false }, pii: { external: [counting] } },
        }),
      ],
    });
    const run = (user: string) =>
      agent.run({
        messages: [
          { role: 'system', content: LONG },
          { role: 'user', content: user },
        ],
      });
    const a = await run('Forward it to ann@example.com');
    const b = await run('Forward it to bob@example.org');
    expect(scans).toBe(1);
    expect(a.content).toBe('Noted: Forward it to ann@example.com');
    expect(b.content).toBe('Noted: Forward it to bob@example.org');
    // Each run's system prompt reached the model redacted, with the run's own numbering.
    for (const r of server.requests) {
      const sent = JSON.stringify(r.body.messages);
      expect(sent).not.toMatch(/@example/);
      expect(sent).toContain('Write to [EMAIL_1] on failure.');
      expect(sent).toContain('Forward it to [EMAIL_2]');
    }
  });
});

describe('the input moderation of a conversation sent again', () => {
  it('asks the moderator once about a long user text across runs, and again after it failed', async () => {
    const echo: ModelScript = () => ({ content: 'Done.', logprobs: -0.01 });
    server = await startTestServer({ models: { 'gpt-4o-mini': echo, 'gpt-4o': echo } });
    const agent = new CascadeAgent({
      providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
      ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }],
      plugins: [
        guardrailsPlugin({ moderator: new OpenAIModerator({ apiKey: 'x', baseURL: server.openaiBaseURL }) }),
      ],
    });
    // The moderator is asked about the answers too (output moderation): count the questions asked of it.
    const moderations = (about = 'Refactor the parser') =>
      server!.requests.filter((r) => r.path === '/v1/moderations' && JSON.stringify(r.body).includes(about))
        .length;
    // An agent's turns: the same long first message, then tool rounds (tool results are not user text).
    const task = `${'Refactor the parser module and keep its behaviour. '.repeat(15)}Start with src/parse.ts.`;
    const turn = (n: number) =>
      agent.run({
        messages: [
          { role: 'user', content: task },
          ...Array.from({ length: n }, (_, i) => [
            {
              role: 'assistant' as const,
              content: null,
              toolCalls: [{ id: `c${i}`, name: 'read', arguments: '{}' }],
            },
            { role: 'tool' as const, toolCallId: `c${i}`, content: `step ${i}` },
          ]).flat(),
        ],
      });
    await turn(0);
    await turn(1);
    await turn(2);
    expect(moderations()).toBe(1);
    // A short text is asked about every time.
    await agent.run('Hi');
    await agent.run('Hi');
    expect(moderations('"Hi"')).toBe(2);
    // A failed moderation falls back to the local classifier and is not kept: the next run asks again.
    const other = `${task} Then the lexer.`;
    server.injectFault('omni-moderation-latest', { kind: 'status', status: 500 }, 1);
    await agent.run(other);
    await agent.run(other);
    expect(
      server.requests.filter(
        (r) => r.path === '/v1/moderations' && JSON.stringify(r.body).includes('the lexer'),
      ),
    ).toHaveLength(2);
  });
});
