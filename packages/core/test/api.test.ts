import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import * as thread from '../src/thread.js';

// The public API at a glance: a change here is a change for users (and needs a changeset).
describe('public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toMatchSnapshot();
  });

  it('exports exactly these names from @cascadeflow/core/thread', () => {
    expect(Object.keys(thread).sort()).toEqual(['ThreadedProvider', 'serveProviderThread']);
  });
});
