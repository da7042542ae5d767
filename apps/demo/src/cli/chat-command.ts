import { parseArgs } from 'node:util';
import { streamCascade, toAsyncIterable } from '@cascadeflow/streaming';
import { withEngine } from './engine-for-cli.js';

export const CHAT_HELP = `cascadeflow chat "<question>": stream one answer through the cascade to the terminal

  --config <file>   configuration (default cascadeflow.config.json)
  --mode <m>        replay | live | auto
  --buffer          hold drafts until accepted (default: show them, and their retraction)`;

export async function chatCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      mode: { type: 'string' },
      buffer: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const question = positionals.join(' ').trim();
  if (!question) throw new Error('give a question: cascadeflow chat "Who wrote Hamlet?"');
  await withEngine(values, async (engine, userId) => {
    if (engine.replay && !engine.replay.find(question)) {
      throw new Error(
        `"${question}" is not among the recorded questions of the replay. Try: "${engine.replay.sample(1)[0]}", or set OPENAI_API_KEY to go live.`,
      );
    }
    if (engine.mode === 'replay') out.write('[replay of recorded real answers]\n');
    const events = streamCascade(
      engine.agent,
      { query: question, userId, signal },
      { mode: values.buffer ? 'buffer' : 'stream' },
    );
    for await (const e of toAsyncIterable(events)) {
      if (e.type === 'attempt_start') out.write(`${e.model}: `);
      else if (e.type === 'text') out.write(e.text);
      else if (e.type === 'decision')
        out.write(`\n  [${e.accepted ? 'accepted' : 'rejected'}: ${e.reason}]\n`);
      else if (e.type === 'retract') out.write('  [draft withdrawn]\n');
      else if (e.type === 'switch') out.write(`  [escalating to ${e.to.model}]\n`);
      else if (e.type === 'finish') {
        const r = e.result;
        out.write(
          `answer from ${r.model} (tier ${r.tier.index}), cost $${r.totalCost?.toFixed(6) ?? '?'}, saving $${r.saving?.toFixed(6) ?? '?'}\n`,
        );
      }
    }
  });
}
