/**
 * A labelled corpus of realistic support-ticket and chat text with PII in common real-world formats, and
 * hard negatives that look alike (order numbers, dates, versions, prices, UUIDs, tracking numbers, invalid
 * checksums). Seeded: the same corpus every run.
 */
import type { PiiType } from '../src/index.js';

export interface LabelledText {
  text: string;
  labels: { type: PiiType; value: string }[];
}

export function corpus(n = 2000, seed = 42): LabelledText[] {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const digits = (k: number) => Array.from({ length: k }, () => Math.floor(r() * 10)).join('');
  const names = [
    'anna',
    'ben.ross',
    'chloe_m',
    'd.kowalski',
    'emre',
    'fatima.z',
    'george88',
    'hana-lee',
    'ivan',
    'julia.s',
  ];
  const domains = ['example.com', 'mail.co.uk', 'acme-corp.io', 'uni.edu', 'post.de', 'startup.ai'];
  const luhnDigit = (body: string) => {
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      let d = Number(body[body.length - 1 - i]);
      if (i % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return String((10 - (sum % 10)) % 10);
  };
  const card = () => {
    const [prefix, len] = pick([
      ['4', 16],
      ['5' + String(1 + Math.floor(r() * 5)), 16],
      ['37', 15],
      ['6011', 16],
    ] as const);
    const body = prefix + digits(len - prefix.length - 1);
    const num = body + luhnDigit(body);
    return pick([num, num.replace(/(\d{4})(?=\d)/g, '$1 '), num.replace(/(\d{4})(?=\d)/g, '$1-')]);
  };
  const badCard = () => {
    const c = card().replace(/\D/g, '');
    return c.slice(0, -1) + String((Number(c.at(-1)) + 1) % 10);
  };
  const iban = (valid = true) => {
    const [cc, len] = pick([
      ['DE', 22],
      ['GB', 22],
      ['FR', 27],
      ['NL', 18],
      ['ES', 24],
    ] as const);
    const bban =
      cc === 'GB' || cc === 'NL' ? pick(['WEST', 'ABNA', 'BARC', 'RABO']) + digits(len - 8) : digits(len - 4);
    const moved = `${bban}${cc}00`
      .split('')
      .map((ch) => (/[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch))
      .join('');
    let rem = 0;
    for (const d of moved) rem = (rem * 10 + Number(d)) % 97;
    const check = String(98 - rem).padStart(2, '0');
    const full = `${cc}${valid ? check : String((Number(check) + 1) % 100).padStart(2, '0')}${bban}`;
    return r() < 0.5 ? full : full.replace(/(.{4})(?=.)/g, '$1 ');
  };
  const phone = () =>
    pick([
      () => `+1-${pick(['415', '646'])}-555-${digits(4)}`,
      () => `(020) ${digits(4)} ${digits(4)}`,
      () => `${pick(['415', '212'])} 555 ${digits(4)}`,
      () => `+44 (0)20 ${digits(4)} ${digits(4)}`,
      () => `+44 20 ${digits(4)} ${digits(4)}`,
      () => `+1 (${pick(['415', '212', '646'])}) ${pick(['555', '867'])}-${digits(4)}`,
      () => `${pick(['415', '312', '718'])}-${pick(['555', '234'])}-${digits(4)}`,
      () => `+49 30 ${digits(8)}`,
      () => `01 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
      () => `+33 6 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
    ])();
  const ssn = () =>
    `${String(100 + Math.floor(r() * 565)).padStart(3, '0')}-${String(1 + Math.floor(r() * 98)).padStart(2, '0')}-${String(1 + Math.floor(r() * 9998)).padStart(4, '0')}`;
  const ipv4 = () =>
    `${10 + Math.floor(r() * 200)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`;
  const hex = (k: number) =>
    Array.from({ length: k }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const ipv6 = () =>
    pick([
      `2001:db8:${hex(4)}::${hex(3)}1`,
      `fe80::${hex(4)}:${hex(2)}ff:fe${hex(2)}:${hex(4)}`,
      `2a00:1450:4001:${hex(3)}1::200e`,
    ]);
  const alnum = (k: number) =>
    Array.from(
      { length: k },
      () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(r() * 62)],
    ).join('');
  const secret = () =>
    pick([
      () => `sk-proj-${alnum(40)}1`,
      () => `sk-ant-api03-${alnum(60)}`,
      () =>
        `AKIA${alnum(16)
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, 'Q')}`,
      () => `ghp_${alnum(36)}`,
      () => `xoxb-${digits(12)}-${alnum(24)}`,
    ])();
  const negatives = [
    () => `build 1.${digits(1)}.${digits(1)}.${digits(2)} shipped`,
    () => `on ${pick(['12/25/2023', '03/04/2024'])} at ext. ${digits(4)}`,
    () => `serial SN-${digits(4)}-${digits(4)}-${digits(4)}`,
    () => `code ${digits(3)}-${digits(3)}-${digits(4)} of the form`,
    () => `contact support@ as usual`,
    () => `order #${digits(8)}`,
    () => `on 2024-${pick(['01', '06', '11'])}-${pick(['03', '15', '28'])} at 14:${digits(2)}`,
    () => `version ${digits(1)}.${digits(1)}.${digits(2)}`,
    () => `total $${digits(1)},${digits(3)}.${digits(2)}`,
    () => `tracking 1Z${alnum(6).toUpperCase()}${digits(10)}`,
    () => `id 123e4567-e89b-12d3-a456-${hex(12)}`,
    () => `card ending ${digits(4)}`,
    () => `invalid card ${badCard()}`,
    () => `IBAN typo ${iban(false)}`,
    () => `ticket 000-${digits(2)}-${digits(4)}`,
    () => `ISBN 978-3-16-${digits(6)}-0`,
    () => `zip ${digits(5)} and suite ${digits(3)}`,
    () => `we use sk-learn and task-runner ${digits(3)}`,
    () => `the ratio 3:2:1 and 10:30 meeting`,
  ];
  const templates: [PiiType, () => string, (v: string) => string][] = [
    [
      'email',
      () => `${pick(names)}@${pick(domains)}`,
      (v) => `Hi, you can reach me at ${v} if anything changes.`,
    ],
    ['phone', phone, (v) => `Please call me back on ${v} after 5pm.`],
    ['card', card, (v) => `The payment with card ${v} was declined twice.`],
    ['iban', () => iban(true), (v) => `Refund to my account ${v}, thanks.`],
    ['ssn', ssn, (v) => `For the tax form my SSN is ${v}.`],
    ['ipv4', ipv4, (v) => `The login came from ${v} which is not ours.`],
    ['ipv6', ipv6, (v) => `Our server ${v} returns 502 since the update.`],
    ['secret', secret, (v) => `I pasted the key ${v} into the config, is that ok?`],
  ];
  const out: LabelledText[] = [];
  for (let i = 0; i < n; i++) {
    const labels: LabelledText['labels'] = [];
    const parts: string[] = [];
    const k = 1 + Math.floor(r() * 3);
    for (let j = 0; j < k; j++) {
      if (r() < 0.35) {
        parts.push(`Also, ${pick(negatives)()}.`);
      } else {
        const [type, make, frame] = pick(templates);
        const value = make();
        labels.push({ type, value });
        parts.push(frame(value));
      }
    }
    out.push({ text: parts.join(' '), labels });
  }
  return out;
}
