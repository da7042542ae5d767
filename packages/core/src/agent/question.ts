import type { ChatMessage } from '../types/messages.js';

/**
 * Blocks that coding agents add to a user's message as context rather than as the question: Claude Code's
 * `<system-reminder>`, Cline's and Roo's `<environment_details>`, Codex's `<environment_context>` and
 * `<user_instructions>`.
 */
const CONTEXT_TAGS = ['system-reminder', 'environment_details', 'environment_context', 'user_instructions'];
const OPENING = new RegExp(`<(${CONTEXT_TAGS.join('|')})>`, 'g');

/**
 * The question a user message asks: its text without the context blocks coding agents wrap in tags
 * (`<system-reminder>…</system-reminder>`, `<environment_details>`, `<environment_context>`,
 * `<user_instructions>`), which can be thousands of words of file listings and instructions around a
 * one-line request. The text as it is when it has no such block, or nothing else. What the cascade scores
 * and shows as the query (complexity, self-checks, judges, results); the tiers are always asked the whole
 * message.
 *
 * @example
 * ```ts
 * questionOf('<system-reminder>\nToday is Monday. CLAUDE.md: …\n</system-reminder>\nFix the failing test.');
 * // 'Fix the failing test.'
 * ```
 */
export function questionOf(text: string): string {
  if (!text.includes('<')) return text;
  let out = '';
  let from = 0;
  const unclosed = new Set<string>();
  OPENING.lastIndex = 0;
  for (let m = OPENING.exec(text); m; m = OPENING.exec(text)) {
    const tag = m[1]!;
    if (unclosed.has(tag)) continue;
    const close = `</${tag}>`;
    const end = text.indexOf(close, OPENING.lastIndex);
    // No closing tag after this one: none after any later opening either.
    if (end === -1) {
      unclosed.add(tag);
      continue;
    }
    out += text.slice(from, m.index);
    from = end + close.length;
    OPENING.lastIndex = from;
  }
  if (from === 0) return text;
  const rest = (out + text.slice(from)).trim();
  return rest === '' ? text : rest;
}

/**
 * The question of a conversation: that of its last user message, or, when that message holds nothing but
 * context blocks (Codex sends its `<environment_context>` as a user message of its own), that of the last
 * user message before it that asks something. The last user message's text when none does.
 *
 * @example
 * ```ts
 * questionIn([
 *   { role: 'user', content: 'Rename the function.' },
 *   { role: 'user', content: '<environment_context>cwd: /repo</environment_context>' },
 * ]); // 'Rename the function.'
 * ```
 */
export function questionIn(messages: readonly ChatMessage[]): string {
  let last: string | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    last ??= m.content;
    const question = questionOf(m.content);
    // questionOf gives a message that is nothing but context back whole.
    if (question !== m.content || !isOnlyContext(m.content)) return question;
  }
  return last ?? '';
}

/** Whether a text is context blocks and nothing else. */
function isOnlyContext(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('<')) return false;
  OPENING.lastIndex = 0;
  let at = 0;
  for (let m = OPENING.exec(trimmed); m; m = OPENING.exec(trimmed)) {
    if (trimmed.slice(at, m.index).trim() !== '') return false;
    const close = `</${m[1]}>`;
    const end = trimmed.indexOf(close, OPENING.lastIndex);
    if (end === -1) return false;
    at = end + close.length;
    OPENING.lastIndex = at;
  }
  return at > 0 && trimmed.slice(at).trim() === '';
}
