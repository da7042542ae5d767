// Profiles the gateway under load: node --cpu-prof --cpu-prof-dir=/tmp/prof2 --import tsx /tmp/prof-gw.ts [replay|live]
import { execFile } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServerProcess } from '@cascadeflow/testing';
import { loadConfig } from '/work/main/apps/demo/src/config.js';
import { startGateway } from '/work/main/apps/demo/src/gateway/start.js';
const mode = process.argv[2] ?? 'replay';
const dir = mkdtempSync(join(tmpdir(), 'cf-prof-'));
const upstream = mode === 'live' ? await startTestServerProcess({ models: { small: { content: 'Paris', logprobs: -0.01 }, big: { content: 'Paris' } } }) : undefined;
const running = await startGateway(loadConfig(join(dir, 'none.json'), {
  port: 0, mode, profilesDb: join(dir, 'p.db'), defaultTier: 'enterprise',
  ...(upstream ? { live: { baseURL: upstream.openaiBaseURL, ladder: ['small', 'big'], threshold: 0.7 } } : {}),
} as never));
await running.engine.profiles.update('demo-user', { overrides: { rateLimits: { requestsPerMinute: 100_000_000, concurrent: 1_000_000 } } });
const q = mode === 'live' ? 'Capital of France?' : running.engine.replay!.sample(1)[0]!;
const body = JSON.stringify({ model: 'cascade', messages: [{ role: 'user', content: q }] });
const bin = createRequire('/work/main/apps/demo/package.json').resolve('autocannon');
const run = async (d: number) => JSON.parse((await promisify(execFile)(process.execPath, [bin, '-c', '20', '-d', String(d), '-m', 'POST', '-H', 'authorization=Bearer cf-demo-key', '-H', 'content-type=application/json', '-b', body, '-j', `${running.url}/v1/chat/completions`], { maxBuffer: 1 << 26 })).stdout);
await run(3);

const c0 = process.cpuUsage();
const r = await run(Number(process.env.DUR ?? 8));
const c = process.cpuUsage(c0);

console.log('rps', r.requests.average, 'non2xx', r.non2xx, 'cpu us/req', ((c.user + c.system) / r.requests.total).toFixed(0));
await running.stop();
upstream?.close();
process.exit(0);
