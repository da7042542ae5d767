export type {
  Fault,
  ModelScript,
  ScriptedFinishReason,
  ScriptedReply,
  ScriptedToolCall,
  ScriptedUsage,
  ScriptRequest,
} from './script.js';
export { type RecordedRequest, startTestServer, type TestServer, type TestServerOptions } from './server.js';
