import type { CountryCode } from 'libphonenumber-js/min';
import type { ModerationCategory } from './moderation/categories.js';
import type { ExternalDetector, PiiType } from './pii/detectors.js';
import { DEFAULT_PII_POLICY, type PiiPolicy } from './pii/policy.js';
import type { ScanOptions } from './pii/scan.js';

/** Guardrail settings of a request (or of a user's tier, through the profiles plugin). */
export interface GuardrailSettings {
  pii?: {
    /** Policy on the request's messages; `false` to skip. Default {@link DEFAULT_PII_POLICY}. */
    input?: PiiPolicy | false;
    /** Policy on answers, tool-call arguments and streamed text; `false` to skip. Default: the input policy. */
    output?: PiiPolicy | false;
    /** Only these types. */
    types?: PiiType[];
    /** Extra detectors: names and street addresses need more than patterns (an NER model or service). */
    external?: ExternalDetector[];
    /** Default region of phone numbers written without a country code (e.g. `US`); see `ScanOptions`. */
    phoneRegion?: CountryCode;
  };
  moderation?: {
    input?: boolean;
    output?: boolean;
    /** Score at or above which a category counts. Default 0.5 for every category. */
    thresholds?: Partial<Record<ModerationCategory, number>>;
    /** `block` (default) refuses, `warn` emits an event, `flag` records it on the result's metadata. */
    action?: 'block' | 'warn' | 'flag';
  };
}

declare module '@cascadeflow/core' {
  interface PluginHandoffs {
    /** Guardrail settings of this run, handed over by another plugin (profiles) or the caller; they win. */
    guardrails?: GuardrailSettings;
  }
}

export interface ResolvedSettings {
  input: PiiPolicy | false;
  output: PiiPolicy | false;
  /** The output policy as it applies to answers (`reversible` values are restored, then warned about). */
  outputApplied: PiiPolicy | false;
  /** What every scan of this run is given: the types, the external detectors, the phone region. */
  scan: ScanOptions;
  moderateInput: boolean;
  moderateOutput: boolean;
  thresholds: Partial<Record<ModerationCategory, number>>;
  moderationAction: 'block' | 'warn' | 'flag';
}

export function resolveSettings(s: GuardrailSettings = {}): ResolvedSettings {
  const input = s.pii?.input ?? DEFAULT_PII_POLICY;
  const output = s.pii?.output ?? input;
  return {
    input,
    output,
    outputApplied: output === false ? false : outputPolicy(output),
    scan: Object.assign(
      {},
      s.pii?.types ? { types: s.pii.types } : {},
      { external: s.pii?.external ?? [] },
      s.pii?.phoneRegion ? { phoneRegion: s.pii.phoneRegion } : {},
    ),
    moderateInput: s.moderation?.input ?? true,
    moderateOutput: s.moderation?.output ?? true,
    thresholds: s.moderation?.thresholds ?? {},
    moderationAction: s.moderation?.action ?? 'block',
  };
}

/** On output, `reversible` values are the user's own data coming back: they are restored, not hidden again. */
export function outputPolicy(p: PiiPolicy): PiiPolicy {
  const out: PiiPolicy = {};
  for (const [k, v] of Object.entries(p)) out[k as keyof PiiPolicy] = v === 'reversible' ? 'warn' : v;
  return out;
}

/** Whether settings are frozen all the way down (functions, such as external detectors, are leaves). */
export function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  for (const v of Object.values(value)) if (!deeplyFrozen(v)) return false;
  return true;
}
