import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createEngine, type Engine } from '../src/engine.js';
import { createGateway, listen } from '../src/gateway/server.js';

export async function startDemo(): Promise<{
  url: string;
  engine: Engine;
  stop: () => Promise<void>;
  question: string;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'cf-demo-'));
  const config = loadConfig(join(dir, 'none.json'), {
    port: 0,
    mode: 'replay',
    profilesDb: join(dir, 'profiles.db'),
    apiKeys: { 'cf-demo-key': 'demo-user', 'cf-other-key': 'other-user' },
  });
  const engine = await createEngine(config);
  const server = createGateway(engine);
  const url = await listen(server, '127.0.0.1', 0);
  return {
    url,
    engine,
    question: engine.replay!.sample(3)[2]!,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await engine.close();
    },
  };
}
