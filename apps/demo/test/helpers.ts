import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import {
  type ModelScript,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '@cascadeflow/testing';
import { afterAll, beforeAll } from 'vitest';
import type { DemoConfig } from '../src/config.js';
import { loadConfig } from '../src/config.js';
import type { Engine } from '../src/engine.js';
import { startGateway } from '../src/gateway/start.js';

/** The admin key of the test gateways. */
export const ADMIN_KEY = 'cf-admin-test-key-0123456789';

export async function startDemo(overrides: Partial<DemoConfig> = {}): Promise<{
  url: string;
  engine: Engine;
  stop: () => Promise<void>;
  question: string;
  profilesDb: string;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'cf-demo-'));
  const config = loadConfig(join(dir, 'none.json'), {
    port: 0,
    mode: 'replay',
    profilesDb: join(dir, 'profiles.db'),
    apiKeys: { 'cf-demo-key': 'demo-user', 'cf-other-key': 'other-user' },
  });
  const running = await startGateway({ ...config, adminKey: ADMIN_KEY, ...overrides });
  return {
    url: running.url,
    engine: running.engine,
    question: running.engine.replay?.sample(3)[2] ?? 'hello',
    profilesDb: overrides.profilesDb ?? config.profilesDb,
    stop: running.stop,
  };
}

/**
 * A gateway in live mode in front of the loopback upstream, with a two-tier ladder `small` → `big` scripted
 * by the test (tool calls and JSON answers really come from an upstream); `server` sets the rest of the upstream
 * (its dialect, say).
 */
export async function startLiveDemo(
  models: { small: ModelScript; big: ModelScript },
  live: Partial<DemoConfig['live']> = {},
  server: Omit<TestServerOptions, 'models'> = {},
) {
  const upstream: TestServer = await startTestServer({ ...server, models });
  const demo = await startDemo({
    mode: 'live',
    live: { baseURL: upstream.openaiBaseURL, ladder: ['small', 'big'], threshold: 0.7, ...live },
  });
  return {
    upstream,
    demo,
    async stop() {
      await demo.stop();
      await upstream.close();
    },
  };
}

/**
 * A live gateway in front of a loopback upstream for the tests of one file: started before them, stopped
 * after. Read `upstream` and `demo` inside the tests.
 */
export function useLiveDemo(
  models: { small: ModelScript; big: ModelScript },
  live: Partial<DemoConfig['live']> = {},
  server: Omit<TestServerOptions, 'models'> = {},
): { upstream: TestServer; demo: Awaited<ReturnType<typeof startDemo>> } {
  const env = {} as Awaited<ReturnType<typeof startLiveDemo>>;
  beforeAll(async () => {
    Object.assign(env, await startLiveDemo(models, live, server));
  });
  afterAll(async () => env.stop?.());
  return env;
}

/** A writable that keeps what the CLI prints. */
export function capture(): { stream: NodeJS.WritableStream; text: () => string } {
  let text = '';
  return {
    stream: {
      write: (s: string) => {
        text += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    text: () => text,
  };
}

/** A real PNG of `width` × `height` pixels, all one grey, as a data URL (what a screenshot tool returns). */
export function pngDataUrl(width: number, height: number): string {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; colour type 0 (grey), no interlace
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter: none
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}
