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

describe('streaming redaction releases text early, and still never leaks', () => {
  const chunked = (text: string, size: number, onPush?: (pushed: number, out: string) => void) => {
    const r = new StreamRedactor(policy, new PiiVault());
    let out = '';
    for (let i = 0; i < text.length; i += size) {
      out += r.push(text.slice(i, i + size));
      onPush?.(i + size, out);
    }
    return out + r.flush();
  };
  const cases = [
    'mail jane.doe@example.com today',
    'IBAN GB82 WEST 1234 5698 7654 32 ok',
    'call 345-899-3560x4587 now',
    'card 4111 1111 1111 1111 thanks',
    'Authorization: Bearer zX9q7LmN2pR5tV8wY1aB3cD6eF0gH4jK7mN9pQ2rS5uV8xZ1bC4dE7fG0hJ3k done',
    'X-Api-Key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee done',
    'see https://api.example.com/v1?access_token=Qw3rTy8uIo0pAs5dFg7hJk2lZx4cVb6nMq9 ok',
    'db postgres://admin:S3cr3tPassw0rdThatIsLong@db.example.com:5432/app ok',
    'Cookie: theme=dark; sessionid=8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b ok',
    'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end',
    '请联系zhang.wei@example.cn谢谢，身份证11010519491231002X，手机13912345678。',
    'NIR 1 85 05 78 006 084 91 et CN 110105 19491231 002X fin',
  ];
  for (const body of cases) {
    it(`${body.slice(0, 24)}…, in chunks of 1 to 13 characters`, () => {
      const text = `${filler}${body} ${filler}`;
      const whole = scanPii(text);
      const expected = applyPolicy(text, whole, policy, new PiiVault()).text;
      expect(whole.length).toBeGreaterThan(0);
      for (const size of [1, 2, 3, 5, 7, 13]) {
        const out = chunked(text, size);
        expect(out).toBe(expected);
        for (const m of whole) expect(out).not.toContain(m.value);
      }
    });
  }

  it('a short answer is not held until its end: English and Chinese, token by token', () => {
    for (const text of [
      'The capital of France is Paris, which has been the seat of its government for centuries. '.repeat(3),
      '北京是中华人民共和国的首都，也是全国的政治中心和文化中心，有三千多年的建城史。'.repeat(8),
    ]) {
      let early = '';
      const out = chunked(text, 4, (pushed, sofar) => {
        if (pushed === 160) early = sofar;
      });
      expect(out).toBe(text);
      // At most the near hold (64), one scan step (32) and a word behind, where 416 characters were held.
      expect(early.length).toBeGreaterThan(160 - 64 - 32 - 16);
    }
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
