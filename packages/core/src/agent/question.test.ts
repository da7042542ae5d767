import { describe, expect, it } from 'vitest';
import { questionIn, questionOf } from './question.js';

describe('questionOf', () => {
  it("leaves out coding agents' context blocks around the question", () => {
    const claudeCode = [
      "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\nUse pnpm.\n</system-reminder>",
      '<system-reminder>\nToday is 2026-12-01.\n</system-reminder>',
      'Fix the failing test in src/a.ts',
    ].join('');
    expect(questionOf(claudeCode)).toBe('Fix the failing test in src/a.ts');
    expect(
      questionOf(
        '<task>\nAdd a button\n</task>\n\n<environment_details>\n# Files\na.ts\n</environment_details>',
      ),
    ).toBe('<task>\nAdd a button\n</task>');
    expect(
      questionOf(
        '<environment_context>cwd: /w</environment_context>Why? <user_instructions>x</user_instructions>',
      ),
    ).toBe('Why?');
  });

  it('keeps text without such blocks, other tags, unclosed blocks, and a message that is only context', () => {
    expect(questionOf('What is 2 < 3?')).toBe('What is 2 < 3?');
    expect(questionOf('Render <b>bold</b> text')).toBe('Render <b>bold</b> text');
    expect(questionOf('<system-reminder> never closed. What now?')).toBe(
      '<system-reminder> never closed. What now?',
    );
    const only = '<system-reminder>Context only.</system-reminder>';
    expect(questionOf(only)).toBe(only);
    // An unclosed block does not hide a closed one of another kind after it.
    expect(questionOf('<system-reminder> open <environment_details>x</environment_details> Go')).toBe(
      '<system-reminder> open  Go',
    );
  });

  it('scans many unclosed openings in one pass', () => {
    const text = `${'<system-reminder>'.repeat(50_000)}question`;
    expect(questionOf(text)).toBe(text);
  });
});

describe('questionIn', () => {
  it('takes the last user message that asks something, past one that is only context', () => {
    expect(
      questionIn([
        { role: 'user', content: '<user_instructions>Use pnpm.</user_instructions>' },
        { role: 'user', content: 'Rename the function.' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'shell', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'ok' },
        { role: 'user', content: '<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>' },
      ]),
    ).toBe('Rename the function.');
    expect(questionIn([{ role: 'user', content: '<system-reminder>x</system-reminder>Go on.' }])).toBe(
      'Go on.',
    );
    // Nothing but context anywhere: the last user message as it is.
    const only = '<environment_context>cwd</environment_context>';
    expect(questionIn([{ role: 'user', content: only }])).toBe(only);
    expect(questionIn([{ role: 'system', content: 'x' }])).toBe('');
  });
});
