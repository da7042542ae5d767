import { describe, expect, it } from 'vitest';
import type { CompletionResponse } from '../types/provider.js';
import { estimateComplexity } from './complexity.js';
import { defaultValidators } from './defaults.js';
import { jsonValidity } from './json-validity.js';
import { logprobConfidence } from './logprob-confidence.js';
import { textChecks } from './text-checks.js';
import { toolCallValidity } from './tool-call-validity.js';
import { composeValidators, scoreWith, type ValidationContext } from './validator.js';

function ctx(
  response: Partial<CompletionResponse>,
  extra: Partial<ValidationContext> = {},
): ValidationContext {
  return {
    query: 'What is the capital of France?',
    messages: [],
    response: {
      content: 'Paris',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
      model: 'm',
      ...response,
    },
    tier: { index: 0, name: 'm', model: 'm', provider: 'p', role: 'drafter', threshold: 0.7 },
    complexity: 'simple',
    signal: new AbortController().signal,
    previous: [],
    complete: async () => {
      throw new Error('no model in unit tests');
    },
    ...extra,
  };
}

describe('validators', () => {
  it('log-prob confidence is the geometric mean probability, or min', async () => {
    const lp = [
      { token: 'a', logprob: Math.log(0.9) },
      { token: 'b', logprob: Math.log(0.4) },
    ];
    expect((await logprobConfidence().validate(ctx({ logprobs: lp })))?.score).toBeCloseTo(
      Math.sqrt(0.36),
      9,
    );
    expect(
      (await logprobConfidence({ aggregate: 'min' }).validate(ctx({ logprobs: lp })))?.score,
    ).toBeCloseTo(0.4, 9);
    expect(await logprobConfidence().validate(ctx({}))).toBeNull();
  });
  it('text checks catch empty, refusals, hedges and short answers to hard questions', async () => {
    const t = textChecks();
    expect((await t.validate(ctx({ content: '' })))?.score).toBe(0);
    expect(
      (await t.validate(ctx({ content: 'As an AI language model, I cannot answer that.' })))?.score,
    ).toBe(0.2);
    expect((await t.validate(ctx({ content: 'I think it is Paris' })))?.score).toBe(0.5);
    expect((await t.validate(ctx({ content: 'Yes.' }, { complexity: 'hard' })))?.reasons).toEqual([
      'under 20 words for a hard question',
    ]);
    expect((await t.validate(ctx({ content: 'Paris' })))?.score).toBe(1);
  });
  it('compose with min (veto) or mean, and skip validators that do not apply', async () => {
    const lp = [{ token: 'x', logprob: Math.log(0.5) }];
    const c = ctx({ content: 'I think x', logprobs: lp });
    expect((await scoreWith(defaultValidators(), c)).score).toBeCloseTo(0.5, 9);
    expect(
      (
        await scoreWith(
          [logprobConfidence(), textChecks()],
          ctx({ content: 'I think x', logprobs: [{ token: 'x', logprob: Math.log(0.9) }] }),
          'mean',
        )
      ).score,
    ).toBeCloseTo(0.7, 9);
    expect((await scoreWith([], c)).score).toBe(1);
    const composed = composeValidators('both', [logprobConfidence(), textChecks()]);
    expect((await composed.validate(c))?.reasons.length).toBe(2);
  });
  it('estimates complexity', () => {
    expect(estimateComplexity('What is the capital of France?')).toBe('simple');
    expect(estimateComplexity('Prove that there are infinitely many primes.')).toBe('hard');
    expect(estimateComplexity('Tell me about the history of the Roman empire in general terms')).toBe(
      'moderate',
    );
  });
});

describe('tool calls and JSON answers against schemas of every dialect', () => {
  const bash = (dialect: string | undefined) => ({
    name: 'Bash',
    parameters: {
      ...(dialect ? { $schema: dialect } : {}),
      type: 'object',
      properties: { command: { type: 'string' }, timeout: { type: 'number' } },
      required: ['command'],
      additionalProperties: false,
    },
  });
  const call = (args: string) => ({ toolCalls: [{ id: 't1', name: 'Bash', arguments: args }], content: '' });
  for (const dialect of [
    'https://json-schema.org/draft/2020-12/schema', // Claude Code's tools, MCP servers
    'https://json-schema.org/draft/2019-09/schema',
    'http://json-schema.org/draft-07/schema#',
    'http://json-schema.org/draft-04/schema#',
    undefined,
  ]) {
    it(`${dialect ?? 'no $schema'}: a valid call scores 1, a broken one 0 with the reason`, () => {
      const tools = [bash(dialect)];
      expect(toolCallValidity().validate(ctx(call('{"command":"ls"}'), { tools }))).toEqual({
        score: 1,
        reasons: [],
      });
      expect(toolCallValidity().validate(ctx(call('{"cmd":"ls"}'), { tools }))).toMatchObject({
        score: 0,
        reasons: expect.arrayContaining([expect.stringContaining("must have required property 'command'")]),
      });
    });
  }

  it('schemas sent afresh on every request (as a gateway parses them) validate every time, an $id too', () => {
    // A schema with an $id, as MCP servers give them: the second request's copy used to collide with the first.
    const fresh = () => {
      const tool = bash('https://json-schema.org/draft/2020-12/schema');
      return [{ ...tool, parameters: { ...tool.parameters, $id: 'https://example.com/bash.json' } }];
    };
    for (let i = 0; i < 3; i++) {
      expect(toolCallValidity().validate(ctx(call('{"command":"ls"}'), { tools: fresh() }))).toMatchObject({
        score: 1,
      });
      expect(toolCallValidity().validate(ctx(call('{"cmd":"ls"}'), { tools: fresh() }))).toMatchObject({
        score: 0,
      });
    }
    // A broken copy is refused each time, not remembered as valid.
    const broken = () => [
      { name: 'Bash', parameters: { type: 'object', properties: { c: { type: 'strnig' } } } },
    ];
    for (let i = 0; i < 2; i++)
      expect(() => toolCallValidity().validate(ctx(call('{"c":"ls"}'), { tools: broken() }))).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
  });

  it('a schema that cannot be compiled is the request’s error, named by its field', () => {
    const tools = [
      { name: 'Bash', parameters: { type: 'object', properties: { command: { type: 'strnig' } } } },
    ];
    expect(() => toolCallValidity().validate(ctx(call('{"command":"ls"}'), { tools }))).toThrow(
      expect.objectContaining({ code: 'invalid_request', field: 'tools["Bash"].parameters' }),
    );
    const responseFormat = { type: 'json_schema' as const, name: 'x', schema: { type: 'nope' } };
    expect(() => jsonValidity().validate(ctx({ content: '{}' }, { responseFormat }))).toThrow(
      expect.objectContaining({ code: 'invalid_request', field: 'responseFormat.schema' }),
    );
  });
});
