import { AllTiersFailedError, InvalidConfigError, SELF_CHECK_MARKER, selfCheck } from '@cascadeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIDENT, type Setup, setup } from './helpers.js';

let env: Setup;
afterEach(async () => env?.server.close());

// A one-page PDF, as small as a valid one gets.
const PDF_BYTES =
  '%PDF-1.4\n1 0 obj<</Type /Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type /Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type /Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
const PDF = `data:application/pdf;base64,${Buffer.from(PDF_BYTES, 'latin1').toString('base64')}`;
const TEXT = `data:text/plain;base64,${Buffer.from('Revenue rose 12% in 2026.').toString('base64')}`;
const ladder = [
  { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
  { model: 'gpt-4.1-mini', provider: 'openai', threshold: 0.8, documents: true },
  { model: 'gpt-4o', provider: 'openai', documents: true },
];

describe('documents', () => {
  it('go only to tiers that take documents: a PDF as a file part, a text file as text under its name', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'x', logprobs: CONFIDENT },
      'gpt-4.1-mini': { content: 'Revenue rose.', logprobs: CONFIDENT },
      'gpt-4o': { content: 'x' },
    });
    const r = await env.agent(ladder).run({
      messages: [
        {
          role: 'user',
          content: 'What do these say?',
          documents: [{ url: PDF, filename: 'report.pdf' }, { url: TEXT }],
        },
      ],
    });
    expect(r.attempts.map((a) => a.model)).toEqual(['gpt-4.1-mini']);
    expect(r.tier).toMatchObject({ index: 0, role: 'drafter' });
    expect(env.server.requestsFor('gpt-4o-mini')).toHaveLength(0);
    const sent = env.server.requestsFor('gpt-4.1-mini')[0]!.body.messages as { content: unknown }[];
    expect(sent[0]!.content).toEqual([
      { type: 'text', text: 'What do these say?' },
      { type: 'file', file: { file_data: PDF, filename: 'report.pdf' } },
      { type: 'text', text: 'The file document-2.txt:\nRevenue rose 12% in 2026.' },
    ]);
  });

  it('of tool results follow the run of tool messages in one user message; a self-check sees them', async () => {
    env = await setup({
      'gpt-4.1-mini': ({ body }) =>
        JSON.stringify(body.messages).includes(SELF_CHECK_MARKER)
          ? { content: 'Y', logprobs: -0.01 }
          : { content: 'Revenue rose.' },
      'gpt-4o': { content: 'x' },
    });
    const r = await env.agent(ladder.slice(1), { validators: [selfCheck()] }).run({
      messages: [
        { role: 'user', content: 'Read report.pdf and sum it up.' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'read', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: '', documents: [{ url: PDF, filename: 'report.pdf' }] },
      ],
    });
    expect(r.model).toBe('gpt-4.1-mini');
    const [answer, check] = env.server.requestsFor('gpt-4.1-mini');
    const sent = answer!.body.messages as Record<string, unknown>[];
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'user']);
    expect(sent[2]).toEqual({
      role: 'tool',
      tool_call_id: 'c1',
      content: 'The result is the files in the next message.',
    });
    expect(sent[3]!.content).toEqual([
      { type: 'text', text: 'The files of the result of tool call c1:' },
      { type: 'file', file: { file_data: PDF, filename: 'report.pdf' } },
    ]);
    expect(JSON.stringify(check!.body.messages)).toContain(PDF);
  });

  it('are refused by name when no tier takes them, or when their URL is not a PDF or text data URL', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'x' } });
    const plain = env.agent([
      { model: 'gpt-4o-mini', provider: 'openai' },
      { model: 'gpt-4o', provider: 'openai' },
    ]);
    const run = plain.run({ messages: [{ role: 'user', content: 'Sum up.', documents: [{ url: PDF }] }] });
    await expect(run).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(run).rejects.toThrow(/no tier of this ladder \(gpt-4o-mini, gpt-4o\) takes documents/);
    const bad = env.agent(ladder).run({
      messages: [{ role: 'user', content: 'x', documents: [{ url: 'data:application/zip;base64,AAAA' }] }],
    });
    await expect(bad).rejects.toThrow(
      /request\.messages\.0\.documents\.0\.url: must be an http\(s\) URL of a PDF/,
    );
    expect(env.server.requests).toHaveLength(0);
  });

  it('a PDF by URL fails the OpenAI tier by name (chat completions take a file by its data only)', async () => {
    env = await setup({ 'gpt-4o': { content: 'x' } });
    const run = env.agent([{ model: 'gpt-4o', provider: 'openai', documents: true }]).run({
      messages: [{ role: 'user', content: 'Sum up.', documents: [{ url: 'https://example.com/a.pdf' }] }],
    });
    await expect(run).rejects.toBeInstanceOf(AllTiersFailedError);
    await expect(run).rejects.toThrow(
      /a document given by URL cannot be sent to a chat completions endpoint/,
    );
    expect(env.server.requests).toHaveLength(0);
  });
});
