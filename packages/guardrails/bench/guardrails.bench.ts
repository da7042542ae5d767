/**
 * PII scan speed (10 KB and 1 MB of realistic text), adversarial inputs, streaming redaction overhead
 * against the same stream without guardrails, and per-type precision and recall on the labelled corpus.
 * Writes bench-results/guardrails.json at the repository root.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { type BenchResult, median, startTestServer, writeBenchResults } from '@cascadeflow/testing';
import { guardrailsPlugin, PiiVault, StreamRedactor, scanPii } from '../dist/index.js';
import { nerDetector } from '../dist/ner.js';
import { corpus } from './corpus.js';
import { fakerCorpus, fakerNerCorpus, score } from './faker-corpus.js';

const here = dirname(fileURLToPath(import.meta.url));
const texts = corpus(4000, 1).map((c) => c.text);
let big = '';
for (let i = 0; big.length < 1024 * 1024; i++) big += `${texts[i % texts.length]}\n`;
const tenK = big.slice(0, 10 * 1024);

for (let i = 0; i < 200; i++) scanPii(tenK);
const tenKTimes: number[] = [];
for (let i = 0; i < 500; i++) {
  const t = performance.now();
  scanPii(tenK);
  tenKTimes.push((performance.now() - t) * 1000);
}
const mbTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  scanPii(big);
  mbTimes.push(performance.now() - t);
}

// Adversarial: inputs built to make naive patterns backtrack; the worst of them, 1 MB each.
const MB = 1024 * 1024;
const adversarial = [
  'a'.repeat(MB - 1) + '@',
  '@'.repeat(MB),
  'a.'.repeat(MB / 2),
  '1 '.repeat(MB / 2),
  '1-'.repeat(MB / 2),
  '(1'.repeat(MB / 2),
  ':'.repeat(MB),
  'a:'.repeat(MB / 2),
  '-----BEGIN '.repeat(MB / 11),
  'eyJ'.repeat(MB / 3),
  'sk-'.repeat(MB / 3),
  'GB82'.repeat(MB / 4),
  '１'.repeat(MB / 2),
  '\u200B1'.repeat(MB / 2),
  // Aimed at this release's detectors: national phone shapes, Unicode addresses, credentials by context.
  '12 '.repeat(MB / 3),
  'é@'.repeat(MB / 2),
  'x@y.'.repeat(MB / 4),
  'Cookie: a='.repeat(MB / 10),
  'a='.repeat(MB / 2),
  '://'.repeat(MB / 3),
  'Authorization: Bearer '.repeat(MB / 22),
  '1\n'.repeat(MB / 2),
  // Aimed at the national identity numbers, and at digit runs of many dotted groups.
  '529.982.247.'.repeat(MB / 12),
  '11010519491231002'.repeat(MB / 17),
  'RSSMRA85T10A562'.repeat(MB / 15),
  'X1234567'.repeat(MB / 8),
  '1 85 05 78 006 084 '.repeat(MB / 19),
];
// Each input is scanned three times (the median counts, so that one garbage collection does not decide);
// the worst input's median is the figure.
let worst = 0;
for (const a of adversarial) {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    scanPii(a);
    times.push(performance.now() - t);
  }
  worst = Math.max(worst, median(times));
}

// Streaming: the same 20 KB answer streamed with and without the guardrails plugin.
const answer = big.slice(0, 20 * 1024);
const server = await startTestServer({ models: { m: { content: answer, logprobs: -0.01 } } });
const providers = { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) };
const plain = new CascadeAgent({ providers, ladder: [{ model: 'm', provider: 'openai' }] });
const guarded = new CascadeAgent({
  providers,
  ladder: [{ model: 'm', provider: 'openai' }],
  plugins: [
    guardrailsPlugin({
      settings: { pii: { input: { default: 'redact' } }, moderation: { input: false, output: false } },
    }),
  ],
});
const once = async (a: CascadeAgent) => {
  const t = performance.now();
  await a.run({ query: 'stream it', onDelta: () => {} });
  return performance.now() - t;
};
for (let i = 0; i < 10; i++) {
  await once(plain);
  await once(guarded);
}
const ratios: number[] = [];
for (let i = 0; i < 40; i++) {
  const a = await once(plain);
  const b = await once(guarded);
  ratios.push(b / a);
}
await server.close();

// Precision and recall per type, on the test half of the faker corpus (the detectors were tuned on the other).
const stats = score(fakerCorpus('test', 4000));
// The opt-in NER detector (compromise) on English texts with faker's names, cities, companies and dates.
const nerStats = score(fakerNerCorpus('test', 1000), {
  external: [nerDetector()],
  types: ['person', 'place', 'organization', 'date'],
});

// 100 KB of text with no space in it, streamed 10 characters at a time through the redactor (it used to be
// rescanned whole on every chunk: quadratic). The median of 5.
const noSpace = `${'x'.repeat(50_000)},jane.doe@example.com,${'y'.repeat(50_000)}`;
const noSpaceTimes: number[] = [];
for (let round = 0; round < 5; round++) {
  const t = performance.now();
  const r = new StreamRedactor({ default: 'redact' }, new PiiVault());
  for (let i = 0; i < noSpace.length; i += 10) r.push(noSpace.slice(i, i + 10));
  r.flush();
  noSpaceTimes.push(performance.now() - t);
}

// How much of an answer a client waits for before the redactor releases any text: an answer streamed four
// characters at a time, in English and in Chinese (no spaces). A count of characters, not a time.
const firstRelease = (text: string) => {
  const r = new StreamRedactor({ default: 'redact' }, new PiiVault());
  for (let i = 0; i < text.length; i += 4) if (r.push(text.slice(i, i + 4)) !== '') return i + 4;
  return text.length;
};
const englishAnswer = 'The capital of France is Paris, the seat of its government for centuries. '.repeat(10);
const chineseAnswer = '北京是中华人民共和国的首都，也是全国的政治中心和文化中心，有三千多年的建城史。'.repeat(
  10,
);

const results: BenchResult[] = [
  {
    name: 'stream_redaction_first_release_chars',
    value: firstRelease(englishAnswer),
    unit: `characters of an English answer streamed 4 at a time before the redactor releases any (of ${englishAnswer.length})`,
  },
  {
    name: 'stream_redaction_first_release_chars_chinese',
    value: firstRelease(chineseAnswer),
    unit: `the same for a Chinese answer, which has no spaces (of ${chineseAnswer.length} characters)`,
  },
  {
    name: 'stream_redaction_100kb_nospace_ms',
    value: +median(noSpaceTimes).toFixed(1),
    unit: 'ms to stream 100 KB with no space through the redactor, 10 characters a chunk',
    target: 50,
    ratio: +(median(noSpaceTimes) / 50).toFixed(3),
  },
  {
    name: 'pii_scan_10kb_us_p50',
    value: +median(tenKTimes).toFixed(1),
    unit: 'µs per 10 KB scan',
    target: 1000,
    ratio: +(median(tenKTimes) / 1000).toFixed(3),
  },
  {
    name: 'pii_scan_1mb_ms',
    value: +median(mbTimes).toFixed(1),
    unit: 'ms per 1 MB scan',
    target: 100,
    ratio: +(median(mbTimes) / 100).toFixed(3),
  },
  {
    name: 'pii_adversarial_1mb_worst_ms',
    value: +worst.toFixed(1),
    unit: `ms, the worst of ${adversarial.length} adversarial 1 MB inputs (median of 3 scans each)`,
    target: 100,
    ratio: +(worst / 100).toFixed(3),
  },
  {
    name: 'stream_redaction_overhead_ratio',
    value: +median(ratios).toFixed(3),
    unit: 'wall time of a 20 KB stream, guarded / plain',
    ratio: +median(ratios).toFixed(3),
  },
];
for (const [type, s] of [...stats].sort()) {
  const p = s.tp / Math.max(1, s.tp + s.fp);
  const rc = s.tp / Math.max(1, s.tp + s.fn);
  results.push({
    name: `pii_precision_${type}`,
    value: +p.toFixed(4),
    unit: `precision on ${s.tp + s.fn} labelled ${type} values (faker corpus, test half, 15 locales)`,
    target: 0.98,
    ratio: +(p / 0.98).toFixed(4),
  });
  results.push({
    name: `pii_recall_${type}`,
    value: +rc.toFixed(4),
    unit: `recall on ${s.tp + s.fn} labelled ${type} values (faker corpus, test half, 15 locales)`,
    target: 0.95,
    ratio: +(rc / 0.95).toFixed(4),
  });
}
for (const [type, s] of [...nerStats].sort()) {
  const p = s.tp / Math.max(1, s.tp + s.fp);
  const rc = s.tp / Math.max(1, s.tp + s.fn);
  const unit = `on ${s.tp + s.fn} labelled ${type} values (opt-in NER detector, faker English texts, test half)`;
  results.push({ name: `ner_precision_${type}`, value: +p.toFixed(4), unit: `precision ${unit}` });
  results.push({ name: `ner_recall_${type}`, value: +rc.toFixed(4), unit: `recall ${unit}` });
}
const out = join(here, '../../../bench-results/guardrails.json');
writeBenchResults(out, results);
