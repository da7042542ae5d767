export { type BenchResult, median, writeBenchResults } from './bench.js';
export { startTestServerProcess, type TestServerProcess } from './process.js';
export type {
  Fault,
  ModelScript,
  ScriptedFinishReason,
  ScriptedReply,
  ScriptedToolCall,
  ScriptedUsage,
  ScriptRequest,
} from './script.js';
export {
  defaultModeration,
  MODERATION_CATEGORIES,
  type ModerationScript,
  type RecordedRequest,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from './server.js';
export { seededRandom, type VariantOptions, variants } from './variants.js';
