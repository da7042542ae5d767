export { CascadeAgent, type CascadeAgentOptions } from './agent/agent.js';
export { ControllerPool } from './agent/controller-pool.js';
export { type CascadeEvents, type CascadeListener, TypedEmitter } from './agent/events.js';
export {
  carriesDocuments,
  carriesImages,
  latestDocuments,
  latestImages,
} from './agent/message-attachments.js';
export { questionIn, questionOf } from './agent/question.js';
export {
  checkRunRequest,
  type EarlyRejectCheck,
  type ResolvedRequest,
  type ResolvedTier,
  type RunEvent,
  type RunRequest,
  type TierOptions,
} from './agent/request.js';
export type { AttemptRecord, AttemptStatus, CascadeResult } from './agent/result.js';
export type { RetryOptions } from './agent/retry.js';
export { completionRequestFor } from './cascade/call-tier.js';
export type { PriceMode } from './cascade/policy.js';
export { NO_SPEND, type Spend, spendOf } from './cascade/spend.js';
export {
  AllTiersFailedError,
  type AnyErrorCode,
  CascadeAbortedError,
  CascadeFlowError,
  type CascadeFlowErrorCode,
  InvalidConfigError,
  PluginError,
  ProviderError,
  RequestRejectedError,
  UnknownProviderError,
} from './errors/errors.js';
export type { PluginHandoffs } from './plugins/handoffs.js';
export {
  type CallScope,
  type CascadePlugin,
  definePlugin,
  type HookArgs,
  type RunContext,
  type RunOutcome,
  type RunOutcomeStatus,
  type TextTransform,
} from './plugins/plugin.js';
export { DEFAULT_PRICES } from './pricing/default-prices.js';
export { type ModelPrice, type PriceMatch, Pricing, type PricingTable } from './pricing/pricing.js';
export { addUsage, estimateInputTokens, ZERO_USAGE } from './pricing/usage.js';
export { collectStream } from './providers/collect-stream.js';
export { type DocumentData, documentData } from './providers/document-data.js';
export { imageData } from './providers/image-data.js';
export {
  isRetryableStatus,
  midStreamError,
  providerErrorFromSdk,
  retryAfterMs,
} from './providers/sdk-errors.js';
export { COMPLEXITY_THRESHOLD_SHIFT, type Complexity, estimateComplexity } from './quality/complexity.js';
export { defaultValidators } from './quality/defaults.js';
export { jsonValidity } from './quality/json-validity.js';
export { type LogprobConfidenceOptions, logprobConfidence } from './quality/logprob-confidence.js';
export {
  askSelfCheck,
  SELF_CHECK_MARKER,
  type SelfCheckOptions,
  type SelfCheckVerdict,
  selfCheck,
  selfCheckPrompt,
} from './quality/self-check.js';
export { type TextChecksOptions, textChecks } from './quality/text-checks.js';
export { toolCallValidity } from './quality/tool-call-validity.js';
export {
  type CheckResult,
  type CombineMode,
  composeValidators,
  type PreviousAnswer,
  type QualityScore,
  type QualityValidator,
  type QualityVerdict,
  scoreWith,
  type TierInfo,
  type TierRole,
  type ValidationContext,
} from './quality/validator.js';
export type {
  ChatMessage,
  DocumentInput,
  FinishReason,
  ImageInput,
  JsonSchema,
  ResponseFormat,
  SamplingOptions,
  TokenLogprob,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  Usage,
} from './types/messages.js';
export type {
  BatchCall,
  CallPurpose,
  CompletionRequest,
  CompletionResponse,
  Provider,
  ProviderBatchApi,
  ProviderCapabilities,
  StreamDelta,
} from './types/provider.js';
