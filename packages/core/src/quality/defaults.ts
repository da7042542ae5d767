import { jsonValidity } from './json-validity.js';
import { logprobConfidence } from './logprob-confidence.js';
import { textChecks } from './text-checks.js';
import { toolCallValidity } from './tool-call-validity.js';
import type { QualityValidator } from './validator.js';

/**
 * The validators an agent uses when none are given: log-prob confidence, text checks, JSON validity and
 * tool-call validity, combined with `min`.
 *
 * @example
 * ```ts
 * const validators = [...defaultValidators(), myDomainCheck];
 * ```
 */
export function defaultValidators(): QualityValidator[] {
  return [logprobConfidence(), textChecks(), jsonValidity(), toolCallValidity()];
}
