import type { PiiMatch, PiiType } from './detectors.js';

/** What to do with a finding. */
export type PiiAction = 'block' | 'redact' | 'mask' | 'reversible' | 'warn' | 'allow';

/** An action per type; `default` for the rest. */
export type PiiPolicy = Partial<Record<PiiType | 'default', PiiAction>>;

/**
 * The default policy: secrets block, payment data and government ids redact, contact data reversible.
 *
 * @example
 * ```ts
 * const policy = { ...DEFAULT_PII_POLICY, email: 'redact' as const };
 * ```
 */
export const DEFAULT_PII_POLICY: Readonly<PiiPolicy> = Object.freeze({
  secret: 'block',
  card: 'redact',
  iban: 'redact',
  ssn: 'redact',
  national_id: 'redact',
  email: 'reversible',
  phone: 'reversible',
  ipv4: 'warn',
  ipv6: 'warn',
  default: 'redact',
});

export function actionFor(policy: PiiPolicy, type: PiiType): PiiAction {
  return policy[type] ?? policy.default ?? 'redact';
}

const LABEL: Record<PiiType, string> = {
  email: 'EMAIL',
  phone: 'PHONE',
  card: 'CARD',
  iban: 'IBAN',
  ssn: 'SSN',
  national_id: 'NATIONAL_ID',
  ipv4: 'IP',
  ipv6: 'IP',
  secret: 'SECRET',
  person: 'NAME',
  place: 'PLACE',
  organization: 'ORG',
  date: 'DATE',
};

/** The redaction label of a type: `[EMAIL]`. */
export function redactionOf(type: PiiType): string {
  return `[${LABEL[type]}]`;
}

/** A partly hidden value: the shape stays readable, the value does not. */
export function mask(m: PiiMatch): string {
  const v = m.value;
  switch (m.type) {
    case 'email': {
      const at = v.indexOf('@');
      return `${v[0]}***${v.slice(at)}`;
    }
    case 'card':
    case 'iban':
    case 'national_id':
      return v.replace(/[A-Za-z0-9](?=(?:[^A-Za-z0-9]*[A-Za-z0-9]){4})/g, '*');
    case 'phone':
    case 'ssn':
      return v.replace(/\d(?=(?:\D*\d){2})/g, '*');
    default:
      return '*'.repeat(Math.min(12, v.length));
  }
}

/**
 * Placeholders of one request: `[EMAIL_1]` stands for the first email seen, the same value always gets the
 * same placeholder, and `restore` puts the values back. One vault per run: never shared between requests.
 *
 * @example
 * ```ts
 * const vault = new PiiVault();
 * const { text } = applyPolicy(input, scanPii(input), { email: 'reversible' }, vault);
 * const answer = vault.restore(modelOutput); // [EMAIL_1] → the original address
 * ```
 */
export class PiiVault {
  readonly #byValue = new Map<string, string>();
  readonly #byPlaceholder = new Map<string, string>();
  readonly #counts = new Map<string, number>();

  placeholder(m: PiiMatch): string {
    const known = this.#byValue.get(m.value);
    if (known) return known;
    const label = LABEL[m.type];
    const n = (this.#counts.get(label) ?? 0) + 1;
    this.#counts.set(label, n);
    const p = `[${label}_${n}]`;
    this.#byValue.set(m.value, p);
    this.#byPlaceholder.set(p, m.value);
    return p;
  }

  get size(): number {
    return this.#byPlaceholder.size;
  }

  /** Puts the original values back in place of this vault's placeholders (others stay as they are). */
  restore(text: string): string {
    if (this.#byPlaceholder.size === 0) return text;
    return text.replace(/\[[A-Z]+_\d+\]/g, (p) => this.#byPlaceholder.get(p) ?? p);
  }
}

/** A finding and what was done about it. */
export interface PiiFinding {
  type: PiiType;
  kind?: string;
  action: PiiAction;
  start: number;
  end: number;
}

/**
 * Applies a policy to matches of `text`; `blocked` lists findings whose action is `block`.
 *
 * @example
 * ```ts
 * const { text, findings, blocked } = applyPolicy(input, scanPii(input), { card: 'mask', default: 'redact' }, new PiiVault());
 * ```
 */
export function applyPolicy(
  text: string,
  matches: readonly PiiMatch[],
  policy: PiiPolicy,
  vault: PiiVault,
): { text: string; findings: PiiFinding[]; blocked: PiiFinding[] } {
  const findings: PiiFinding[] = [];
  const parts: string[] = [];
  let at = 0;
  for (const m of matches) {
    const action = actionFor(policy, m.type);
    if (action === 'allow') continue;
    findings.push({ type: m.type, ...(m.kind ? { kind: m.kind } : {}), action, start: m.start, end: m.end });
    if (action === 'warn' || action === 'block') continue;
    parts.push(text.slice(at, m.start));
    parts.push(
      action === 'redact' ? redactionOf(m.type) : action === 'mask' ? mask(m) : vault.placeholder(m),
    );
    at = m.end;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), findings, blocked: findings.filter((f) => f.action === 'block') };
}
