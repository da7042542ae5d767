import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { startGateway } from '../gateway/start.js';

const DEMO_KEY = 'cf-demo-key';

export const SERVE_HELP = `cascadeflow serve: the OpenAI-compatible gateway and the dashboard

  --config <file>   configuration (default cascadeflow.config.json; absent: defaults)
  --port <n>        port (default 8787; 0 for any free port)
  --host <h>        host (default 127.0.0.1)
  --mode <m>        replay | live | auto (default auto: live when OPENAI_API_KEY or ANTHROPIC_API_KEY is set)`;

/** Starts the gateway; returns a function that stops it gracefully (the CLI waits for SIGINT or SIGTERM). */
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
  const config = loadConfig(
    values.config,
    Object.assign(
      {},
      values.port !== undefined ? { port: Number(values.port) } : {},
      values.host ? { host: values.host } : {},
      values.mode ? { mode: values.mode as 'replay' } : {},
    ),
  );
  const { url, engine, adminKey, adminKeyGenerated, stop } = await startGateway(config);
  // A configured key is never printed; the built-in demo key and a key made for this run are.
  const key = [...engine.apiKeys.keys()][0]!;
  const shownKey = config.apiKeys[DEMO_KEY] !== undefined && key === DEMO_KEY ? key : '<your API key>';
  out.write(
    [
      `CascadeFlow demo (${engine.mode === 'replay' ? 'REPLAY of recorded real answers; set OPENAI_API_KEY to go live' : 'LIVE'}) on ${url}`,
      adminKeyGenerated
        ? `  dashboard:  ${url}/#admin=${encodeURIComponent(adminKey)}  (admin key made for this run; set adminKey or CASCADEFLOW_ADMIN_KEY to fix one)`
        : `  dashboard:  ${url}/  (sign in with your admin key)`,
      `  gateway:    ${url}/v1  (OpenAI-compatible; API key: ${shownKey})`,
      `  try:        curl ${url}/v1/chat/completions -H 'authorization: Bearer ${shownKey}' -H 'content-type: application/json' \\`,
      `                -d '{"model":"cascade","messages":[{"role":"user","content":"${engine.replay?.sample(1)[0] ?? 'Hello'}"}]}'`,
      '',
    ].join('\n'),
  );
  return stop;
}
