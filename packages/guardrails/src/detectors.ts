/**
 * PII detection and redaction alone, without the plugin or any dependency on the cascade: detectors,
 * policies, the reversible vault and the streaming redactor.
 *
 * @example
 * ```ts
 * import { scanPii } from '@cascadeflow/guardrails/detectors';
 * scanPii('mail bob@example.com'); // [{ type: 'email', … }]
 * ```
 */
export type { ExternalDetector, PiiMatch, PiiType } from './pii/detectors.js';
export {
  applyPolicy,
  DEFAULT_PII_POLICY,
  type PiiAction,
  type PiiFinding,
  type PiiPolicy,
  PiiVault,
} from './pii/policy.js';
export { type ScanOptions, scanPii } from './pii/scan.js';
export { StreamRedactor } from './pii/stream-redactor.js';
