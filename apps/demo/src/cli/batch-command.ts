import { parseArgs } from 'node:util';
import { runBatchFile } from '@cascadeflow/batch';
import type { RunRequest } from '@cascadeflow/core';
import { withEngine } from './engine-for-cli.js';

export const BATCH_HELP = `cascadeflow batch <in.jsonl> <out.jsonl>: run a file of queries (resumable: run it again to continue)

  --parallel <n>    items in flight (default 8)
  --config <file>   configuration; --mode replay | live | auto`;

export async function batchCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      mode: { type: 'string' },
      parallel: { type: 'string', default: '8' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [input, output] = positionals;
  if (!input || !output) throw new Error('usage: cascadeflow batch <in.jsonl> <out.jsonl>');
  await withEngine(values, async (engine, userId) => {
    const tty = (out as NodeJS.WriteStream).isTTY === true;
    let last = 0;
    // Every line runs as the configured user, so the tier's limits apply inside the batch.
    const asUser = new Proxy(engine.agent, {
      get: (t, k) =>
        k === 'run' ? (req: RunRequest) => t.run(Object.assign({}, req, { userId })) : Reflect.get(t, k),
    });
    const summary = await runBatchFile(
      asUser,
      input,
      output,
      { maxParallel: Number(values.parallel), signal, retryFailed: true },
      (p) => {
        const n = p.done + p.failed;
        const line = `${p.done} done, ${p.failed} failed, $${p.costSoFar.toFixed(6)}`;
        if (tty) out.write(`\r[${'#'.repeat(Math.min(40, Math.floor(n / 5))).padEnd(40, '.')}] ${line}`);
        else if (n - last >= 10) {
          last = n;
          out.write(`progress: ${line}\n`);
        }
      },
    );
    out.write(
      `${tty ? '\n' : ''}done: ${summary.successCount} ok, ${summary.failureCount} failed, ${summary.resumed} already done before, $${summary.totalCost.toFixed(6)} in ${summary.totalTime.toFixed(1)} s → ${output}\n`,
    );
  });
}
