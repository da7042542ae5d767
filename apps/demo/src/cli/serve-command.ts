import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createEngine } from '../engine.js';
import { createGateway, listen } from '../gateway/server.js';

export const SERVE_HELP = `cascadeflow serve: the OpenAI-compatible gateway and the dashboard

  --config <file>   configuration (default cascadeflow.config.json; absent: defaults)
  --port <n>        port (default 8787; 0 for any free port)
  --host <h>        host (default 127.0.0.1)
  --mode <m>        replay | live | auto (default auto: live when OPENAI_API_KEY or ANTHROPIC_API_KEY is set)`;

/** Starts the gateway; returns a function that stops it (the CLI waits for SIGINT). */
export async function serveCommand(argv: string[], out: NodeJS.WritableStream): Promise<() => Promise<void>> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      mode: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig(values.config, {
    ...(values.port !== undefined ? { port: Number(values.port) } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values.mode ? { mode: values.mode as 'replay' } : {}),
  });
  const engine = await createEngine(config);
  const server = createGateway(engine);
  const url = await listen(server, config.host, config.port);
  const key = [...engine.apiKeys.keys()][0];
  out.write(
    [
      `CascadeFlow demo (${engine.mode === 'replay' ? 'REPLAY of recorded real answers; set OPENAI_API_KEY to go live' : 'LIVE'}) on ${url}`,
      `  dashboard:  ${url}/`,
      `  gateway:    ${url}/v1  (OpenAI-compatible; API key: ${key})`,
      `  try:        curl ${url}/v1/chat/completions -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\`,
      `                -d '{"model":"cascade","messages":[{"role":"user","content":"${engine.replay?.sample(1)[0] ?? 'Hello'}"}]}'`,
      '',
    ].join('\n'),
  );
  return async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await engine.close();
  };
}
