#!/usr/bin/env node
import { CascadeFlowError } from '@cascadeflow/core';
import { BATCH_HELP, batchCommand } from './batch-command.js';
import { CALIBRATE_HELP, calibrateCommand } from './calibrate-command.js';
import { CHAT_HELP, chatCommand } from './chat-command.js';
import { EVAL_HELP, evalCommand } from './eval-command.js';
import { EVAL_TABLE_HELP, evalTableCommand } from './eval-table-command.js';
import { SERVE_HELP, serveCommand } from './serve-command.js';

const HELP = `cascadeflow <command> [options]

commands:
  serve         the OpenAI-compatible gateway and the dashboard
  chat          stream one answer to the terminal
  batch         run a JSONL file of queries (resumable)
  eval          replay a recorded dataset through a calibrated cascade (--help for options)
  eval-table    evaluate every split of the rational-cascades dataset and regenerate the results table
  calibrate     calibrate the live cascade on traffic the gateway recorded (--help for options)

${SERVE_HELP}

${CHAT_HELP}

${BATCH_HELP}

${EVAL_HELP}

${EVAL_TABLE_HELP}

${CALIBRATE_HELP}`;

/** Runs the CLI; returns the exit code. Errors go to stderr with what to do. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'serve': {
        const stop = await serveCommand(rest, out);
        await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
        await stop();
        return 0;
      }
      case 'chat':
        await chatCommand(rest, out, controller.signal);
        return 0;
      case 'batch':
        await batchCommand(rest, out, controller.signal);
        return 0;
      case 'eval':
        await evalCommand(rest, out, controller.signal);
        return 0;
      case 'eval-table':
        await evalTableCommand(rest, out, controller.signal);
        return 0;
      case 'calibrate':
        await calibrateCommand(rest, out, controller.signal);
        return 0;
      case undefined:
      case 'help':
      case '--help':
        out.write(`${HELP}\n`);
        return command === undefined ? 1 : 0;
      default:
        err.write(`cascadeflow: unknown command "${command}". Run \`cascadeflow --help\`.\n`);
        return 2;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    err.write(`cascadeflow: ${CascadeFlowError.isInstance(e) ? `[${e.code}] ` : ''}${message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '')) {
  process.exitCode = await main(process.argv.slice(2));
}
