// PII detection alone is also the subpath export `@cascadeflow/guardrails/detectors`.
export {
  applyPolicy,
  DEFAULT_PII_POLICY,
  type ExternalDetector,
  type PiiAction,
  type PiiFinding,
  type PiiMatch,
  type PiiPolicy,
  type PiiType,
  PiiVault,
  type ScanOptions,
  StreamRedactor,
  scanPii,
} from './detectors.js';
export { GuardrailBlockedError, type GuardrailDetails } from './errors.js';
export type { GuardrailEvents } from './events.js';
export {
  MODERATION_CATEGORIES,
  type ModerationCategory,
  type ModerationResult,
  type Moderator,
} from './moderation/categories.js';
export {
  ChatModelModerator,
  type ChatModelModeratorOptions,
  GUARD_PROMPT,
  LLAMA_GUARD_CATEGORIES,
} from './moderation/chat-model.js';
export { LocalModerator } from './moderation/local.js';
export { OpenAIModerator, type OpenAIModeratorOptions } from './moderation/openai.js';
export { type GuardrailsPlugin, type GuardrailsPluginOptions, guardrailsPlugin } from './plugin.js';
export type { GuardrailSettings } from './settings.js';
