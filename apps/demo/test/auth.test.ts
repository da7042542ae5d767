import { describe, expect, it } from 'vitest';
import { GatewayAuth } from '../src/gateway/auth.js';

describe('GatewayAuth', () => {
  it('finds the user of any of many API keys with one lookup, from either header; refuses others by name', () => {
    const keys = new Map(Array.from({ length: 50_000 }, (_, i) => [`cf-key-${i}`, `user-${i % 7}`] as const));
    const auth = new GatewayAuth(keys, 'cf-admin-0123456789');
    expect(auth.user({ authorization: 'Bearer cf-key-0' })).toBe('user-0');
    expect(auth.user({ authorization: 'bearer   cf-key-49999 ' })).toBe(`user-${49_999 % 7}`);
    expect(auth.user({ 'x-api-key': 'cf-key-12345' })).toBe(`user-${12_345 % 7}`);
    for (const headers of [
      {},
      { authorization: 'Bearer cf-key-50000' },
      { authorization: 'Bearer cf-key-1x' },
    ])
      expect(() => auth.user(headers)).toThrow(/Missing or unknown API key/);
    // The admin key is not an API key.
    expect(() => auth.user({ authorization: 'Bearer cf-admin-0123456789' })).toThrow(/unknown API key/);
  });
});
