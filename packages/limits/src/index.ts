export {
  BudgetExceededError,
  type LimitDetails,
  LimitStoreUnavailableError,
  RateLimitError,
} from './errors.js';
export { LimitsEmitter, type LimitsEvents, type StoreErrorPolicy } from './events.js';
export { type LimitKind, type LimitName, type LimitsConfig, validateLimits, WINDOWS } from './limits.js';
export { type LimitsPlugin, type LimitsPluginOptions, limitsPlugin } from './plugin.js';
export { MemoryLimitStore } from './stores/memory.js';
export { type RedisLike, RedisLimitStore, type RedisLimitStoreOptions } from './stores/redis.js';
export type {
  LimitStore,
  Reservation,
  ReserveOutcome,
  ReserveRequest,
  WindowCharge,
} from './stores/store.js';
export { countingFor, inputTokenBound, type TokenCounting } from './tokens.js';
