/**
 * A labelled corpus generated with @faker-js/faker across 15 locales: e-mails, phone numbers in each
 * locale's own formats (with extensions), cards of every issuer faker knows, IBANs (grouped or not, some
 * lower-cased), IP addresses, and secrets of many issuers, inside short texts with hard negatives (order and
 * invoice numbers, versions, timestamps, commit hashes, UUIDs, tracking numbers, prices). Seeded; split into a
 * tune half (to adjust the detectors on) and a test half (the figures), never mixed.
 */
import {
  type Faker,
  fakerDE,
  fakerEN_AU,
  fakerEN_GB,
  fakerEN_IN,
  fakerEN_US,
  fakerES,
  fakerFR,
  fakerIT,
  fakerJA,
  fakerKO,
  fakerNL,
  fakerPL,
  fakerPT_BR,
  fakerSV,
  fakerZH_CN,
} from '@faker-js/faker';
import { type PiiType, type ScanOptions, scanPii } from '../src/index.js';
import type { LabelledText } from './corpus.js';

const LOCALES: Faker[] = [
  fakerEN_US,
  fakerEN_GB,
  fakerDE,
  fakerFR,
  fakerJA,
  fakerPT_BR,
  fakerSV,
  fakerZH_CN,
  fakerPL,
  fakerIT,
  fakerES,
  fakerNL,
  fakerKO,
  fakerEN_AU,
  fakerEN_IN,
];

function secretOf(f: Faker): string {
  const a = (n: number) => f.string.alphanumeric(n);
  return f.helpers.arrayElement([
    () => `sk_live_${a(24)}`,
    () => `SG.${f.string.alphanumeric(22)}.${f.string.alphanumeric(43)}`,
    () => `AIza${f.string.alphanumeric(35)}`,
    () =>
      `xapp-1-A${f.string.alphanumeric({ length: 10, casing: 'upper' })}-${f.string.numeric(13)}-${f.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' })}`,
    () => `ghp_${a(36)}`,
    () => `AKIA${f.string.alphanumeric({ length: 16, casing: 'upper' })}`,
    () => `sk-proj-${a(40)}1`,
    () => `glpat-${a(20)}`,
    () => `npm_${a(36)}`,
    () => `xoxb-${f.string.numeric(12)}-${a(24)}`,
  ])();
}

/** One labelled text from one locale. */
function sample(f: Faker): LabelledText {
  const labels: { type: PiiType; value: string }[] = [];
  const pii = (type: PiiType, value: string) => {
    labels.push({ type, value });
    return value;
  };
  const negative = () =>
    f.helpers.arrayElement([
      () => `order #${f.string.numeric(9)}`,
      () => `invoice INV-${f.date.past().getFullYear()}-${f.string.numeric(6)}`,
      () => `version ${f.system.semver()}`,
      () => `at ${f.date.recent().toISOString()}`,
      () => `commit ${f.git.commitSha()}`,
      () => `request id ${f.string.uuid()}`,
      () => `tracking 1Z${f.string.alphanumeric({ length: 6, casing: 'upper' })}${f.string.numeric(10)}`,
      () => `total ${f.finance.amount({ symbol: '$' })}`,
      () => `on ${f.date.past().toLocaleDateString('en-US')}`,
      () => `SKU ${f.string.numeric(4)}-${f.string.numeric(4)}-${f.string.numeric(4)}`,
    ])();
  const text = f.helpers.arrayElement([
    () =>
      `Hi, this is ${f.person.firstName()}. Mail me at ${pii('email', f.internet.email())} or call ${pii('phone', f.phone.number())}. Re ${negative()}.`,
    () =>
      `Customer phone: ${pii('phone', f.phone.number({ style: f.helpers.arrayElement(['human', 'national', 'international']) }))}; ${negative()}.`,
    () => `Card on file ${pii('card', f.finance.creditCardNumber())}, ${negative()}, exp 04/27.`,
    () =>
      `Please wire it to ${pii('iban', f.helpers.arrayElement([f.finance.iban({ formatted: true }), f.finance.iban(), f.finance.iban().toLowerCase()]))} (${negative()}).`,
    () =>
      `The server ${pii('ipv4', f.internet.ipv4())} failed ${negative()}; its peer is ${pii('ipv6', f.internet.ipv6())}.`,
    () => `Oops, I pasted my key ${pii('secret', secretOf(f))} into the chat, ${negative()}.`,
    () => `${negative()} and ${negative()}: nothing personal here.`,
    () => `Contact ${pii('email', f.internet.email())}, ${negative()}.`,
  ])();
  return { text, labels };
}

/**
 * `n` labelled texts of one half. The halves come from disjoint seeds: tune on `tune`, report on `test`.
 *
 * @example
 * ```ts
 * const stats = score(fakerCorpus('test', 2000));
 * ```
 */
export function fakerCorpus(half: 'tune' | 'test', n = 2000): LabelledText[] {
  const base = half === 'tune' ? 1_000_000 : 2_000_000;
  const out: LabelledText[] = [];
  for (let i = 0; i < n; i++) {
    const f = LOCALES[i % LOCALES.length]!;
    f.seed(base + i);
    out.push(sample(f));
  }
  return out;
}

/**
 * Names, places, organisations and dates in short English texts (faker's en_US, en_GB, en_AU and en_IN
 * data; names of other locales in the same sentences), for an NER detector. Same halves as {@link fakerCorpus}.
 */
export function fakerNerCorpus(half: 'tune' | 'test', n = 1000): LabelledText[] {
  const base = half === 'tune' ? 3_000_000 : 4_000_000;
  const english = [fakerEN_US, fakerEN_GB, fakerEN_AU, fakerEN_IN];
  const out: LabelledText[] = [];
  for (let i = 0; i < n; i++) {
    const f = i % 4 === 3 ? LOCALES[i % LOCALES.length]! : english[i % english.length]!;
    f.seed(base + i);
    const labels: { type: PiiType; value: string }[] = [];
    const ent = (type: PiiType, value: string) => {
      labels.push({ type, value });
      return value;
    };
    const date = () =>
      f.date.past().toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric' });
    const text = f.helpers.arrayElement([
      () =>
        `My name is ${ent('person', `${f.person.firstName()} ${f.person.lastName()}`)} and I live in ${ent('place', f.location.city())}.`,
      () =>
        `${ent('person', `${f.person.firstName()} ${f.person.lastName()}`)} joined ${ent('organization', f.company.name())} on ${ent('date', date())}.`,
      () => `Please ship it to ${ent('place', f.location.city())} before ${ent('date', date())}, thanks.`,
      () =>
        `The meeting with ${ent('person', `${f.person.firstName()} ${f.person.lastName()}`)} moved to ${ent('date', date())}.`,
      () => `Our order ${f.string.numeric(8)} was shipped yesterday; nothing else to report.`,
    ])();
    out.push({ text, labels });
  }
  return out;
}

/** Precision and recall per type of `scanPii` on a labelled corpus (a finding counts when type and value match). */
export function score(
  texts: readonly LabelledText[],
  options: ScanOptions = {},
): Map<PiiType, { tp: number; fp: number; fn: number }> {
  const stats = new Map<PiiType, { tp: number; fp: number; fn: number }>();
  const at = (t: PiiType) => {
    let s = stats.get(t);
    if (!s) {
      s = { tp: 0, fp: 0, fn: 0 };
      stats.set(t, s);
    }
    return s;
  };
  for (const { text, labels } of texts) {
    const left = [...labels];
    for (const found of scanPii(text, options)) {
      const i = left.findIndex((l) => l.type === found.type && l.value === found.value);
      if (i >= 0) {
        at(found.type).tp++;
        left.splice(i, 1);
      } else at(found.type).fp++;
    }
    for (const l of left) at(l.type).fn++;
  }
  return stats;
}
