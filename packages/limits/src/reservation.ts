import type { Pricing, ResolvedRequest } from '@cascadeflow/core';
import { inputTokenBound, inputTokenBoundIfReady } from './tokens.js';

/** What a run reserves: an upper bound of its tokens and cost, and the models that have no price. */
export interface WorstCase {
  tokens: number;
  cost: number;
  unpriced: string[];
}

/** How the worst case is computed. */
export interface WorstCaseOptions {
  pricing: Pricing;
  /** USD counted per call to a model without a price. */
  unpricedModelCost: number;
  /**
   * Validator calls per judged tier (a `selfCheck` makes one): each reads the query and the draft and writes
   * one token.
   */
  validatorCallsPerTier: number;
}

/** Prompt tokens a validator adds around the query and the draft (the self-check prompt is under 60). */
const VALIDATOR_PROMPT = 64;

/**
 * The most a run can spend: every tier of its ladder answering with its whole output cap (`maxTokens`, which
 * the plugin sets on every tier that lacks one), each reading an input counted by {@link inputTokenBound},
 * plus the validators' own calls on every tier but the last, priced at the tier's standard prices (the
 * cached-input price is never higher).
 */
export async function worstCase(request: ResolvedRequest, o: WorstCaseOptions): Promise<WorstCase> {
  const inputs: number[] = [];
  for (const tier of request.ladder) inputs.push(await inputTokenBound(tier.model, request));
  return worstCaseOf(request, inputs, o);
}

/** {@link worstCase} without a promise once every tier's encoding has loaded; `undefined` before. */
export function worstCaseIfReady(request: ResolvedRequest, o: WorstCaseOptions): WorstCase | undefined {
  const inputs: number[] = [];
  for (const tier of request.ladder) {
    const input = inputTokenBoundIfReady(tier.model, request);
    if (input === undefined) return undefined;
    inputs.push(input);
  }
  return worstCaseOf(request, inputs, o);
}

function worstCaseOf(request: ResolvedRequest, inputs: number[], o: WorstCaseOptions): WorstCase {
  let tokens = 0;
  let cost = 0;
  const unpriced: string[] = [];
  const last = request.ladder.length - 1;
  for (const [i, tier] of request.ladder.entries()) {
    const output = request.maxTokens ?? tier.maxTokens ?? 0;
    const input = inputs[i]!;
    const calls = tier.index === last ? 0 : o.validatorCallsPerTier;
    const callInput = calls * (input + output + VALIDATOR_PROMPT);
    const usage = { inputTokens: input + callInput, outputTokens: output + calls, cachedInputTokens: 0 };
    tokens += usage.inputTokens + usage.outputTokens;
    const c = o.pricing.cost(tier.model, usage);
    if (c === null) {
      cost += o.unpricedModelCost * (1 + calls);
      unpriced.push(tier.model);
    } else {
      cost += c;
    }
  }
  return { tokens, cost, unpriced };
}

/**
 * The request with an output cap on every tier, so that what was reserved bounds what can be spent: tiers
 * without `maxTokens` (and a request without one) get `defaultMaxTokens`.
 */
export function capOutput(request: ResolvedRequest, defaultMaxTokens: number): ResolvedRequest {
  if (request.maxTokens !== undefined || request.ladder.every((t) => t.maxTokens !== undefined))
    return request;
  return Object.assign({}, request, {
    ladder: request.ladder.map((t) =>
      t.maxTokens === undefined ? Object.assign({}, t, { maxTokens: defaultMaxTokens }) : t,
    ),
  });
}
