import {
  askSelfCheck,
  CascadeAgent,
  type CascadeAgentOptions,
  InvalidConfigError,
  type Provider,
  type QualityValidator,
  type QualityVerdict,
  type TierOptions,
  textChecks,
  type ValidationContext,
} from '@cascadeflow/core';
import type { Calibration } from './calibrate.js';
import { featureVector, meanLogprob } from './features.js';
import { predictLogistic } from './logistic.js';
import { scoreText } from './text-model.js';

// A calibrated probability never reaches 1 exactly, so that a threshold of 1 means "never accept".
const MAX_SCORE = 1 - 1e-12;

/**
 * The live side of {@link calibrate}: scores a draft with the calibrated probability that it is correct,
 * from the same signals (its log-probs, or a self-check call when the calibration used that signal; the
 * text checks; agreement with the lower tiers' answers and their scores).
 *
 * @example
 * ```ts
 * const agent = new CascadeAgent({ providers, ladder: calibratedLadder(cal, 'openai'), validators: [calibratedValidator(cal)] });
 * ```
 */
export function calibratedValidator(calibration: Calibration): QualityValidator {
  const text = textChecks();
  const verdict = (ctx: ValidationContext, weights: number[], confidence: number | null): QualityVerdict => {
    const t = text.validate(ctx);
    const textScore = t && !(t instanceof Promise) ? t.score : 1;
    const previous = ctx.previous.map((p) => ({ answer: p.content, score: p.score }));
    const textModel = calibration.textModels[ctx.tier.model];
    const textProbability = textModel ? scoreText(textModel, ctx.query, ctx.response.content) : 0.5;
    const score = Math.min(
      MAX_SCORE,
      predictLogistic(
        weights,
        featureVector(confidence, textScore, textProbability, ctx.response.content, previous),
      ),
    );
    return {
      score,
      reasons: [`P(correct) ${score.toFixed(3)}${confidence === null ? ' (no confidence signal)' : ''}`],
    };
  };
  return {
    name: 'calibrated',
    // Synchronous unless a self-check call is needed: no promise for the engine to wait on.
    validate(ctx) {
      const weights = calibration.weights[ctx.tier.index];
      if (!weights) return null;
      const confidence = meanLogprob(ctx.response.logprobs);
      if (confidence === null && calibration.signal === 'self-check' && ctx.response.content.trim() !== '') {
        return askSelfCheck(ctx).then((check) => verdict(ctx, weights, check ? check.logPCorrect : null));
      }
      return verdict(ctx, weights, confidence);
    },
  };
}

/**
 * An agent for a calibration: its ladder, its thresholds and its validator, with every tier on `provider`
 * (or, per model, a provider or the tier's other options: `{ provider, images: true }`).
 *
 * @example
 * ```ts
 * const agent = calibratedAgent(cal, { openai: new OpenAIProvider() }, 'openai');
 * const vision = calibratedAgent(cal, providers, (model) => ({ provider: 'openai', images: model === 'gpt-4o' }));
 * ```
 */
export function calibratedAgent(
  calibration: Calibration,
  providers: Record<string, Provider>,
  providerFor: string | ((model: string) => string | Omit<TierOptions, 'model' | 'threshold'>),
  options: Omit<CascadeAgentOptions, 'providers' | 'ladder' | 'validators'> = {},
): CascadeAgent {
  if (calibration.version !== 2)
    throw new InvalidConfigError(
      'calibration.version',
      `unsupported version ${calibration.version}: this release reads version 2; run calibrate() again on the records`,
    );
  const ladder = calibration.ladder.map((model, i): TierOptions => {
    const tier = typeof providerFor === 'string' ? providerFor : providerFor(model);
    return Object.assign(
      {},
      typeof tier === 'string' ? { provider: tier } : tier,
      { model },
      i < calibration.thresholds.length ? { threshold: Math.min(1, calibration.thresholds[i]!) } : {},
    );
  });
  return new CascadeAgent(
    Object.assign({}, options, { providers, ladder, validators: [calibratedValidator(calibration)] }),
  );
}
