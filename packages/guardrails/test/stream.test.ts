import { describe, expect, it } from 'vitest';
import { applyPolicy, PiiVault, StreamRedactor, scanPii } from '../src/index.js';

const policy = { default: 'redact' as const };
const filler = 'The quick brown fox jumps over the lazy dog. '.repeat(8);

function streamed(text: string, cuts: number[]): string {
  const r = new StreamRedactor(policy, new PiiVault());
  let out = '';
  let at = 0;
  for (const c of [...cuts, text.length]) {
    out += r.push(text.slice(at, c));
    at = c;
  }
  return out + r.flush();
}

describe('streaming redaction', () => {
  const values = [
    'jane.doe@example.com',
    '4111 1111 1111 1111',
    'GB82 WEST 1234 5698 7654 32',
    '+44 20 7946 0958',
    'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  ];
  for (const value of values) {
    it(`never leaks ${value.slice(0, 12)}… split at every position`, () => {
      const text = `${filler}Contact: ${value} please.${filler}`;
      const expected = applyPolicy(text, scanPii(text), policy, new PiiVault()).text;
      const start = text.indexOf(value);
      for (let cut = start - 1; cut <= start + value.length + 1; cut++) {
        const out = streamed(text, [cut]);
        expect(out).toBe(expected);
        expect(out).not.toContain(value);
      }
    });
  }

  it('token-by-token streaming gives the same text as redacting the whole', () => {
    const text = `${filler}mail jane@x.io, card 4111-1111-1111-1111, ip 10.0.0.1 ${filler}`;
    const cuts: number[] = [];
    for (let i = 3; i < text.length; i += 3) cuts.push(i);
    expect(streamed(text, cuts)).toBe(applyPolicy(text, scanPii(text), policy, new PiiVault()).text);
  });

  it('holds a private key until it ends', () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(1200)}\n-----END PRIVATE KEY-----`;
    const text = `${filler}${key}${filler}`;
    const cuts: number[] = [];
    for (let i = 50; i < text.length; i += 50) cuts.push(i);
    const out = streamed(text, cuts);
    expect(out).not.toContain('AAAA');
    expect(out).toContain('[SECRET]');
  });
});

describe('streaming redaction stays linear', () => {
  it('100 KB with no space, in small chunks, is released as it arrives (the buffer stays bounded)', () => {
    const text = `${'x'.repeat(50_000)},jane.doe@example.com,${'y'.repeat(50_000)}`;
    const r = new StreamRedactor(policy, new PiiVault());
    let out = '';
    let held = 0;
    for (let i = 0; i < text.length; i += 10) {
      out += r.push(text.slice(i, i + 10));
      held = Math.max(held, i + 10 - out.length);
    }
    out += r.flush();
    // Never more than the held tail, one scan step and a value in between is held back.
    expect(held).toBeLessThan(1_000);
    expect(out).toBe(applyPolicy(text, scanPii(text), policy, new PiiVault()).text);
    expect(out).not.toContain('jane.doe');
  });

  it('a private key in text with no spaces around it is still held whole', () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(3000)}\n-----END PRIVATE KEY-----`;
    const text = `${'z'.repeat(2000)}${key}${'z'.repeat(2000)}`;
    const cuts: number[] = [];
    for (let i = 7; i < text.length; i += 7) cuts.push(i);
    const out = streamed(text, cuts);
    expect(out).not.toContain('AAAA');
    expect(out).toContain('[SECRET]');
  });
});
