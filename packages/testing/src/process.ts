import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScriptedReply } from './script.js';

/** A test server running in a child process (so that a benchmark's own CPU time excludes the server's). */
export interface TestServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  openaiBaseURL: string;
  anthropicBaseURL: string;
  /** Stops the child process. */
  close(): void;
}

/**
 * Starts the loopback server in a child process. Scripts must be plain data (they cross a process
 * boundary): no functions. Its requests are not recorded (nothing could read them from here), so its heap
 * does not grow with a benchmark's load.
 *
 * @example
 * ```ts
 * const server = await startTestServerProcess({ models: { 'gpt-4o-mini': { content: 'Paris', logprobs: -0.01 } } });
 * const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL });
 * server.close();
 * ```
 */
export async function startTestServerProcess(options: {
  models: Record<string, ScriptedReply>;
}): Promise<TestServerProcess> {
  const entry = fileURLToPath(new URL('./index.js', import.meta.url));
  const script = `
    const { startTestServer } = await import(${JSON.stringify(entry)});
    const s = await startTestServer({ models: ${JSON.stringify(options.models)}, recordRequests: false });
    process.stdout.write(s.url + '\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the test server process exited with ${code}`)));
  });
  return { url, openaiBaseURL: `${url}/v1`, anthropicBaseURL: url, close: () => child.kill() };
}
