import { variants } from '@cascadeflow/testing';
import { describe, expect, it } from 'vitest';
import { messagesBody } from '../src/gateway/anthropic-messages.js';
import { plainChatBody, plainMessagesBody } from '../src/gateway/plain-bodies.js';
import { chatBody } from '../src/gateway/validate.js';

const base = () => ({
  model: 'cascade',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Capital of France?', name: 'ann' },
  ],
  max_tokens: 64,
  temperature: 0.2,
  stream: false,
  stream_options: { include_usage: true },
  user: 'u-1',
  store: false,
  metadata: { team: 'a' },
});

const odd: unknown[] = [
  undefined,
  null,
  0,
  1,
  2,
  0.5,
  -1,
  2.5,
  1_000_000,
  1_000_001,
  2 ** 53,
  Number.NaN,
  '',
  'x',
  true,
  false,
  [],
  {},
  { a: 'b' },
  { a: 1 },
  { include_usage: false },
  { include_usage: 'yes' },
  { include_usage: true, other: 1 },
  Object.create(null),
  new Date(0),
  JSON.parse('{"__proto__": "x"}'),
  [{ role: 'user', content: 'hi' }],
  [{ role: 'developer', content: 'rules', name: 'dev' }],
  [{ role: 'assistant', content: 'ok' }],
  [{ role: 'assistant', content: null }],
  [{ role: 'assistant', content: 'ok', refusal: null }],
  [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  [{ role: 'user', content: 'hi', name: 1 }],
  [{ role: 'user', content: 'hi', extra: 1 }],
  [{ role: 'tool', content: 'x', tool_call_id: 't1' }],
  [{ role: 'robot', content: 'x' }],
  [{ role: 'user' }],
  [null],
  -2,
  -2.5,
  1.5,
  7.25,
  -(2 ** 53),
  '\n',
  [''],
  ['\n\n'],
  ['a', 'b', 'c', 'd'],
  ['a', 'b', 'c', 'd', 'e'],
  ['a', 1],
  // Tools, tool choices and an agent's turns, right and wrong.
  [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } }],
  [{ type: 'function', function: { name: 'f', description: 'd', strict: null } }],
  [{ type: 'function', function: { name: 'f', strict: true, parameters: {} } }],
  [{ type: 'function', function: { name: '' } }],
  [{ type: 'function', function: { name: 'f', parameters: JSON.parse('{"__proto__": {"x": 1}}') } }],
  [{ type: 'function', function: { name: 'f', extra: 1 } }],
  [{ type: 'web_search' }],
  'auto',
  'required',
  { type: 'function', function: { name: 'weather' } },
  { type: 'function', function: { name: '' } },
  { type: 'function' },
  [
    { role: 'user', content: 'Weather?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: '21 C', name: 'weather' },
  ],
  [{ role: 'assistant', tool_calls: null, refusal: null }],
  [{ role: 'assistant', content: 'x', tool_calls: [] }],
  [
    {
      role: 'assistant',
      content: 'x',
      tool_calls: [{ id: '', type: 'function', function: { name: 'f', arguments: '' } }],
    },
  ],
  [{ role: 'assistant', content: 'x', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f' } }] }],
  [{ role: 'assistant', content: 'x', annotations: [] }],
  [{ role: 'assistant', content: 5 }],
  [{ role: 'assistant', content: [{ type: 'text', text: 'x', extra: 1 }] }],
  [{ role: 'tool', content: 'r' }],
  [{ role: 'tool', content: 'r', tool_call_id: '' }],
  [{ role: 'tool', content: [{ type: 'text', text: 'r' }], tool_call_id: 't' }],
  [{ role: 'constructor', content: 'x' }],
];
const fields = [
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'n',
  'stream',
  'stream_options',
  'user',
  'store',
  'metadata',
  'tools',
  'tool_choice',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'seed',
  'stop',
  'parallel_tool_calls',
  'logprobs',
  'top_logprobs',
];

/**
 * Each input, as given and as a client sends it (through JSON: no undefined values, no prototypes but
 * Object's): the fast path returns what the schema returns, or leaves it to the schema. Many must take it.
 */
function holdsToSchema(
  fast: (body: unknown) => unknown,
  schema: { safeParse(input: unknown): { success: boolean; data?: unknown } },
  inputs: Iterable<Record<string, unknown>>,
) {
  let handled = 0;
  for (const body of inputs) {
    for (const input of [body, JSON.parse(JSON.stringify(body))]) {
      const out = fast(input);
      if (out === undefined) continue;
      handled++;
      const parsed = schema.safeParse(input);
      if (!parsed.success) throw new Error(`accepted what the schema refuses: ${JSON.stringify(input)}`);
      expect(out).toStrictEqual(parsed.data);
    }
  }
  expect(handled).toBeGreaterThan(1_000);
}

describe('plainChatBody', () => {
  it('returns exactly what the schema returns, or leaves the body to the schema', () => {
    holdsToSchema(plainChatBody, chatBody, variants(base, { fields, values: odd, count: 20_000, seed: 7 }));
  });

  it('returns exactly what the schema returns for an agent’s turn (tools, tool calls, tool results)', () => {
    const agentTurn = () => ({
      model: 'cascade',
      messages: [
        { role: 'system', content: 'Use the tools.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '21 C' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'The weather',
            parameters: { type: 'object', properties: {} },
          },
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });
    expect(plainChatBody(agentTurn())).toStrictEqual(chatBody.parse(agentTurn()));
    holdsToSchema(
      plainChatBody,
      chatBody,
      variants(agentTurn, {
        fields: ['messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'model'],
        values: odd,
        count: 20_000,
        seed: 13,
      }),
    );
  });

  it('takes what an OpenAI client sends for a chat', () => {
    const body = { model: 'cascade', messages: [{ role: 'user', content: 'hi' }] };
    expect(plainChatBody(body)).toStrictEqual(chatBody.parse(body));
  });
});

const messagesBase = () => ({
  model: 'cascade',
  max_tokens: 64,
  system: 'Be brief.',
  messages: [
    { role: 'user', content: 'Capital of France?' },
    { role: 'assistant', content: 'Paris.' },
    { role: 'user', content: 'And of Italy?' },
  ],
  temperature: 0.5,
  stream: false,
  metadata: { user_id: 'u-1' },
});
const messagesOdd: unknown[] = [
  ...odd,
  { user_id: 'x' },
  { user_id: 1 },
  { user_id: 'x', other: 'y' },
  [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  [{ role: 'system', content: 'x' }],
  [{ type: 'text', text: 'system in blocks' }],
];
const messagesFields = [
  'model',
  'max_tokens',
  'system',
  'messages',
  'temperature',
  'stream',
  'metadata',
  'tools',
  'top_p',
  'top_k',
  'stop_sequences',
  'thinking',
];

describe('plainMessagesBody', () => {
  it('returns exactly what the schema returns, or leaves the body to the schema', () => {
    const inputs = variants(messagesBase, {
      fields: messagesFields,
      values: messagesOdd,
      count: 20_000,
      seed: 11,
    });
    holdsToSchema(plainMessagesBody, messagesBody, inputs);
  });

  it('takes what a Claude client sends', () => {
    const body = { model: 'cascade', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
    expect(plainMessagesBody(body)).toStrictEqual(messagesBody.parse(body));
  });
});
