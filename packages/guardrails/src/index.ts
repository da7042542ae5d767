export { GuardrailBlockedError, type GuardrailDetails } from './errors.js';
export type { GuardrailEvents } from './events.js';
export {
  MODERATION_CATEGORIES,
  type ModerationCategory,
  type ModerationResult,
  type Moderator,
} from './moderation/categories.js';
export { LocalModerator } from './moderation/local.js';
export { OpenAIModerator, type OpenAIModeratorOptions } from './moderation/openai.js';
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
export { type GuardrailsPlugin, type GuardrailsPluginOptions, guardrailsPlugin } from './plugin.js';
export type { GuardrailSettings } from './settings.js';
