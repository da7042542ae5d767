import { variants } from '@cascadeflow/testing';
import { describe, expect, it } from 'vitest';
import { plainRequest } from '../src/agent/plain-request.js';
import { type RunRequest, requestSchema } from '../src/agent/request.js';

const base = () => ({
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Capital of France?' },
  ],
  userId: 'u1',
  metadata: { responseId: 'chatcmpl-1' },
  ladder: Object.freeze(['small', 'big']),
  thresholds: Object.freeze([0.7, 0.8]),
  handoffs: Object.freeze({ limits: Object.freeze({ requestsPerMinute: 10 }) }),
  maxTokens: 64,
  temperature: 0.2,
  timeoutMs: 30_000,
});

class Box {
  a = 1;
}
// Values that each field may be given: right ones, and wrong ones of every kind.
const odd: unknown[] = [
  undefined,
  null,
  0,
  -0,
  1,
  2,
  0.5,
  -1,
  1.5,
  2.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  true,
  [],
  ['a'],
  [''],
  [0.5],
  [2],
  ['a', 1],
  {},
  { a: 1 },
  Object.create(null),
  new Box(),
  new Date(0),
  new Map(),
  { [Symbol('s')]: 1 },
  JSON.parse('{"__proto__": {"x": 1}}'),
  [{ role: 'user', content: 'hi' }],
  [{ role: 'user', content: 'hi', images: [] }],
  [{ role: 'assistant', content: null }],
  [{ role: 'assistant', content: 'ok' }],
  [{ role: 'tool', content: 'x', toolCallId: 't1' }],
  [{ role: 'robot', content: 'x' }],
  [{ role: 'user' }],
  [{ role: 'user', content: 1 }],
  [null],
  [new Box()],
  // An agent's turn, tools and tool choices, right and wrong.
  [
    { role: 'system', content: 'Use the tools.' },
    { role: 'user', content: 'Weather?' },
    { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'weather', arguments: '{}' }] },
    { role: 'tool', content: '21 C', toolCallId: 'c1' },
  ],
  [{ role: 'assistant', content: 'ok', toolCalls: [] }],
  [{ role: 'assistant', toolCalls: [] }],
  [{ role: 'assistant', content: null, toolCalls: undefined }],
  [{ role: 'assistant', content: null, toolCalls: [{ id: '', name: 'f', arguments: '' }] }],
  [{ role: 'assistant', content: null, toolCalls: [{ id: 'c', name: 'f' }] }],
  [{ role: 'assistant', content: null, toolCalls: [{ id: 'c', name: 'f', arguments: '{}', extra: 1 }] }],
  [{ role: 'tool', content: 'r', toolCallId: '' }],
  [{ role: 'tool', content: 'r' }],
  [{ role: 'tool', content: 'r', toolCallId: 't', name: 'f' }],
  [{ name: 'weather', parameters: { type: 'object', properties: {} } }],
  [{ name: 'weather', description: 'd', parameters: {} }],
  [{ name: 'f', description: undefined, parameters: {} }],
  [{ name: '', parameters: {} }],
  [{ name: 'f' }],
  [{ name: 'f', parameters: JSON.parse('{"__proto__": {"x": 1}}') }],
  [{ name: 'f', parameters: {}, strict: true }],
  'auto',
  'required',
  { name: 'weather' },
  { name: 1 },
  { name: 'f', type: 'function' },
  { topP: 0.9 },
  { stopSequences: ['\n\n'], seed: 7 },
  { topK: 40, frequencyPenalty: -2, presencePenalty: 2 },
  { top_p: 1 },
];
const fields = [
  'query',
  'messages',
  'system',
  'ladder',
  'thresholds',
  'maxTokens',
  'temperature',
  'timeoutMs',
  'userId',
  'metadata',
  'handoffs',
  'tools',
  'toolChoice',
  'parallelToolCalls',
  'sampling',
  'unknownField',
];

const sampling = () => ({
  topP: 0.9,
  topK: 40,
  stopSequences: ['\n\n', 'END'],
  seed: 7,
  frequencyPenalty: 0.5,
  presencePenalty: -0.5,
});
// Values that each sampling control may be given.
const oddSampling: unknown[] = [
  undefined,
  null,
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  2,
  -2,
  2.5,
  -2.5,
  7.25,
  2 ** 53,
  -(2 ** 53),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '1',
  true,
  [],
  [''],
  ['a'],
  ['a', 'b', 'c', 'd'],
  ['a', 'b', 'c', 'd', 'e'],
  ['a', 1],
  {},
];

/**
 * Each request: the walk returns exactly what the schema returns, or leaves it to the schema; `fresh` checks
 * the containers it hands on. Many must take the walk, so that the check is not vacuous.
 */
function holdsToSchema(
  requests: Iterable<Record<string, unknown>>,
  fresh: (fast: RunRequest, req: Record<string, unknown>) => void,
) {
  let handled = 0;
  for (const req of requests) {
    const fast = plainRequest(req);
    if (fast === undefined) continue;
    handled++;
    const parsed = requestSchema.safeParse(req);
    if (!parsed.success) throw new Error(`accepted what the schema refuses: ${JSON.stringify(req)}`);
    expect(fast).toStrictEqual(parsed.data);
    fresh(fast, req);
  }
  expect(handled).toBeGreaterThan(1_000);
}

describe('plainRequest', () => {
  it('returns exactly what the schema returns, or leaves the request to the schema', () => {
    holdsToSchema(variants(base, { fields, values: odd, count: 20_000, seed: 42 }), (fast, req) => {
      // Fresh containers, as the schema makes: a caller's arrays and records are never handed on.
      for (const k of ['messages', 'ladder', 'thresholds', 'metadata', 'handoffs'] as const)
        if (k in fast) expect(fast[k]).not.toBe(req[k]);
    });
  });

  it('holds sampling controls to the schema', () => {
    const keys = [...Object.keys(sampling()), 'top_p', 'stop'];
    const controls = variants(sampling, { fields: keys, values: oddSampling, count: 20_000, seed: 7 });
    const requests = (function* () {
      for (const c of controls) yield { ...base(), sampling: c };
    })();
    holdsToSchema(requests, (fast, req) => {
      const given = req.sampling as { stopSequences?: unknown };
      if (fast.sampling?.stopSequences) expect(fast.sampling.stopSequences).not.toBe(given.stopSequences);
    });
  });

  it('holds an agent’s turn (tools, tool calls, tool results, tool choice) to the schema', () => {
    const agentTurn = () => ({
      messages: [
        { role: 'system', content: 'Use the tools.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' }],
        },
        { role: 'tool', content: '21 C', toolCallId: 'c1' },
      ],
      tools: [
        { name: 'weather', description: 'The weather', parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: 'auto',
      parallelToolCalls: false,
      userId: 'u1',
    });
    expect(plainRequest(agentTurn())).toStrictEqual(requestSchema.parse(agentTurn()));
    const requests = variants(agentTurn, {
      fields: ['messages', 'tools', 'toolChoice', 'parallelToolCalls'],
      values: odd,
      count: 20_000,
      seed: 11,
    });
    holdsToSchema(requests, (fast, req) => {
      if (fast.tools) expect(fast.tools).not.toBe(req.tools);
    });
  });

  it('takes the request as the gateway and the profiles plugin build it', () => {
    const req = base();
    expect(plainRequest(req)).toStrictEqual(requestSchema.parse(req));
    expect(plainRequest({ query: 'hi' })).toStrictEqual({ query: 'hi' });
  });
});
