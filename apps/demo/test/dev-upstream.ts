import type { RecordedQuestion } from '@cascadeflow/eval';
import { type ModelScript, type ScriptRequest, startTestServer, type TestServer } from '@cascadeflow/testing';

/** Prices per million tokens that reproduce the dataset's recorded costs from its token counts. */
export const DEV_PRICES = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'qwen2.5-32b-coder-instruct': { input: 0.9, output: 0.9 },
  'qwen2.5-72b-instruct': { input: 0.9, output: 0.9 },
  'gpt-4o': { input: 2.5, output: 10 },
};

function lastUser(req: ScriptRequest): string {
  const messages = (req.body.messages ?? []) as { role: string; content: unknown }[];
  const c = messages.filter((m) => m.role === 'user').at(-1)?.content;
  return typeof c === 'string' ? c : '';
}

/**
 * A loopback upstream that answers as the recorded models did (answer, log-prob, token counts) for every
 * recorded question, and a `judge` model that grades an answer by the dataset's own labels (it finds the
 * question and the answer in the judge prompt and says YES when the recorded label of that answer is right):
 * a judge as good as the dataset's labels, whichever prompt asks it.
 */
export async function startDevUpstream(
  records: readonly RecordedQuestion[],
  models: string[],
): Promise<TestServer> {
  // A prompt asked twice answers as its first record (as the eval's ReplayProvider does).
  const byPrompt = new Map<string, RecordedQuestion>();
  for (const r of records) if (!byPrompt.has(r.userPrompt)) byPrompt.set(r.userPrompt, r);
  const script =
    (model: string): ModelScript =>
    (req) => {
      const r = byPrompt.get(lastUser(req));
      if (!r) return { content: 'I do not know.', logprobs: -3 };
      const a = r.models[model]!;
      return {
        content: a.answer,
        tokens: [a.answer],
        ...(a.rawConf !== null ? { logprobs: Math.max(-20, a.rawConf) } : {}),
        usage: { inputTokens: a.tokensIn, outputTokens: a.tokensOut },
      };
    };
  const judge: ModelScript = (req) => {
    const prompt = lastUser(req);
    const question = /Question:\n([\s\S]*?)\n\nReference answer[^\n]*:/.exec(prompt)?.[1] ?? '';
    const answer = /Answer to grade:\n([\s\S]*?)\n\n(?:Does|Is) the answer/.exec(prompt)?.[1] ?? '';
    const r = byPrompt.get(question);
    const right = r ? Object.values(r.models).some((a) => a.answer === answer && a.correct) : false;
    return { content: right ? 'YES' : 'NO', usage: { inputTokens: 200, outputTokens: 1 } };
  };
  return startTestServer({
    models: { ...Object.fromEntries(models.map((m) => [m, script(m)])), judge },
  });
}
