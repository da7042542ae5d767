import type { AttemptStatus, CascadeResult, TierInfo, Usage } from '@cascadeflow/core';

/** How a stream treats drafts. */
export type StreamMode = 'buffer' | 'stream';

/**
 * Everything a cascade stream says, in order. Per attempt: `attempt_start`, deltas, `decision`; between
 * tiers `switch`; `retract` whenever text already shown must be dropped; `usage` after every attempt (and
 * as running estimates); `finish` last, with the same result `agent.run()` returns. Errors end the
 * Observable with a typed `CascadeFlowError`.
 */
export type CascadeStreamEvent =
  | { type: 'mode'; mode: StreamMode; reason: string }
  | { type: 'attempt_start'; tier: TierInfo; model: string }
  | { type: 'text'; text: string; tier: TierInfo; model: string }
  | {
      type: 'tool_call';
      index: number;
      id?: string;
      name?: string;
      argumentsDelta: string;
      tier: TierInfo;
      model: string;
    }
  | {
      type: 'decision';
      tier: TierInfo;
      model: string;
      status: AttemptStatus;
      accepted: boolean;
      score: number | null;
      reasons: string[];
      reason: string;
      /** True when the draft was abandoned before it ended (its first tokens looked bad). */
      early: boolean;
    }
  | { type: 'retry'; tier: TierInfo; model: string; error: string; retry: number; delayMs: number }
  | { type: 'retract'; tier: TierInfo; model: string; reason: string }
  | { type: 'switch'; from: TierInfo; to: TierInfo; reason: string }
  | { type: 'usage'; usage: Usage; cost: number | null; estimated: boolean }
  | { type: 'finish'; result: CascadeResult };

/** The type of one event. */
export type CascadeStreamEventType = CascadeStreamEvent['type'];
