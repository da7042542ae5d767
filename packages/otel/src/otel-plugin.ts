import type { AttemptRecord, CascadePlugin, RunOutcome } from '@cascadeflow/core';
import {
  type Attributes,
  type Context,
  context as contextApi,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/** Options of {@link otelPlugin}. */
export interface OtelPluginOptions {
  /** The tracer to use. Default: `trace.getTracer('@cascadeflow/otel')` from the global tracer provider. */
  tracer?: Tracer;
  /** Record the question and the answer on the spans (`gen_ai.input.messages`, `gen_ai.output.messages`). Default false: they may hold personal data. */
  recordContent?: boolean;
  /** Plugin name. Default `otel`. */
  name?: string;
}

interface State {
  run: Span;
  runContext: Context;
  attempt?: Span;
}

/** The OpenTelemetry GenAI semantic-convention attributes of one attempt, plus the cascade's own. */
function attemptAttributes(a: AttemptRecord): Attributes {
  const attrs: Attributes = {
    'gen_ai.response.model': a.model,
    'cascadeflow.decision': a.status,
    'cascadeflow.reason': a.reason,
    'cascadeflow.retries': a.retries,
  };
  if (a.usage) {
    attrs['gen_ai.usage.input_tokens'] = a.usage.inputTokens;
    attrs['gen_ai.usage.output_tokens'] = a.usage.outputTokens;
  }
  if (a.usageEstimated) attrs['cascadeflow.usage_estimated'] = true;
  if (a.finishReason) attrs['gen_ai.response.finish_reasons'] = [a.finishReason];
  if (a.score !== null) attrs['cascadeflow.score'] = a.score;
  if (a.threshold !== undefined) attrs['cascadeflow.threshold'] = a.threshold;
  if (a.cost !== null) attrs['cascadeflow.cost_usd'] = a.cost;
  if (a.abandonedEarly) attrs['cascadeflow.abandoned_early'] = true;
  return attrs;
}

function endAttempt(span: Span, a: AttemptRecord): void {
  span.setAttributes(attemptAttributes(a));
  if (a.status === 'failed') {
    span.setAttribute('error.type', a.error?.code ?? 'error');
    span.setStatus({ code: SpanStatusCode.ERROR, message: a.error?.message ?? a.reason });
  }
  span.end();
}

function endRun(span: Span, outcome: RunOutcome): void {
  const attrs: Attributes = {
    'cascadeflow.outcome': outcome.status,
    'cascadeflow.tiers_tried': outcome.attempts.map((a) => a.model),
    'gen_ai.usage.input_tokens': outcome.spend.usage.inputTokens,
    'gen_ai.usage.output_tokens': outcome.spend.usage.outputTokens,
  };
  if (outcome.spend.cost !== null) attrs['cascadeflow.cost_usd'] = outcome.spend.cost;
  const r = outcome.result;
  if (r) {
    attrs['gen_ai.response.model'] = r.model;
    attrs['cascadeflow.tier.index'] = r.tier.index;
    attrs['cascadeflow.escalations'] = r.escalations;
    attrs['cascadeflow.degraded'] = r.degraded;
    if (r.baselineCost !== null) attrs['cascadeflow.baseline_cost_usd'] = r.baselineCost;
    if (r.saving !== null) attrs['cascadeflow.saving_usd'] = r.saving;
  }
  span.setAttributes(attrs);
  if (outcome.error) {
    span.recordException(outcome.error);
    const code = (outcome.error as { code?: unknown }).code;
    span.setAttribute('error.type', typeof code === 'string' ? code : outcome.error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
  }
  span.end();
}

/**
 * Traces every run with OpenTelemetry, following the GenAI semantic conventions: a span per run
 * (`invoke_agent cascadeflow`) and, inside it, a client span per attempt (`chat <model>`, with
 * `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model` and the request's sampling
 * controls (`gen_ai.request.top_p`, `.top_k`, `.stop_sequences`, `.seed`, penalties), `gen_ai.response.model`,
 * `gen_ai.usage.input_tokens`/`output_tokens`, `gen_ai.response.finish_reasons`) plus the cascade's own
 * attributes (`cascadeflow.tier.*`, `.score`, `.threshold`, `.decision`, `.cost_usd`, `.saving_usd`). Failed
 * attempts and failed runs are recorded as errors. The provider call runs inside its attempt span's context
 * (the plugin's `aroundCall`), so instrumented HTTP clients propagate the trace to the provider.
 *
 * @example
 * ```ts
 * import { otelPlugin } from '@cascadeflow/otel';
 * const agent = new CascadeAgent({ providers, ladder, plugins: [otelPlugin()] });
 * ```
 */
export function otelPlugin(options: OtelPluginOptions = {}): CascadePlugin<State> {
  const tracer = () => options.tracer ?? trace.getTracer('@cascadeflow/otel');
  return {
    name: options.name ?? 'otel',

    // The run span starts with the run, as a child of whatever span is active for the caller.
    createState(ctx) {
      const parent = contextApi.active();
      const run = tracer().startSpan(
        'invoke_agent cascadeflow',
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.name': 'cascadeflow',
            'cascadeflow.run_id': ctx.runId,
            ...(ctx.userId ? { 'cascadeflow.user_id': ctx.userId } : {}),
          },
        },
        parent,
      );
      return { run, runContext: trace.setSpan(parent, run) };
    },

    beforeRun({ request, state }) {
      state.run.setAttribute(
        'cascadeflow.ladder',
        request.ladder.map((t) => t.model),
      );
      if (options.recordContent)
        state.run.setAttribute('gen_ai.input.messages', JSON.stringify(request.messages));
    },

    beforeAttempt({ request, tier, state }) {
      const attrs: Attributes = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': tier.provider,
        'gen_ai.request.model': tier.model,
        'cascadeflow.tier.index': tier.index,
        'cascadeflow.tier.name': tier.name,
        'cascadeflow.tier.role': tier.role,
      };
      const maxTokens = request.maxTokens ?? request.ladder[tier.index]?.maxTokens;
      if (maxTokens !== undefined) attrs['gen_ai.request.max_tokens'] = maxTokens;
      const temperature = request.temperature ?? request.ladder[tier.index]?.temperature;
      if (temperature !== undefined) attrs['gen_ai.request.temperature'] = temperature;
      const sampling = request.sampling;
      if (sampling) {
        if (sampling.topP !== undefined) attrs['gen_ai.request.top_p'] = sampling.topP;
        if (sampling.topK !== undefined) attrs['gen_ai.request.top_k'] = sampling.topK;
        if (sampling.stopSequences) attrs['gen_ai.request.stop_sequences'] = sampling.stopSequences;
        if (sampling.seed !== undefined) attrs['gen_ai.request.seed'] = sampling.seed;
        if (sampling.frequencyPenalty !== undefined)
          attrs['gen_ai.request.frequency_penalty'] = sampling.frequencyPenalty;
        if (sampling.presencePenalty !== undefined)
          attrs['gen_ai.request.presence_penalty'] = sampling.presencePenalty;
      }
      state.attempt = tracer().startSpan(
        `chat ${tier.model}`,
        { kind: SpanKind.CLIENT, attributes: attrs },
        state.runContext,
      );
    },

    aroundCall({ state }) {
      const span = state.attempt;
      if (!span) return undefined;
      const ctx = trace.setSpan(state.runContext, span);
      return (call) => contextApi.with(ctx, call);
    },

    afterAttempt({ attempt, state }) {
      if (!state.attempt) return;
      endAttempt(state.attempt, attempt);
      state.attempt = undefined;
    },

    onSettle({ outcome, state }) {
      // An attempt cut short (abort, a refusal mid-stream) never reached afterAttempt: end it here.
      const cut = outcome.attempts.at(-1);
      if (state.attempt && cut) endAttempt(state.attempt, cut);
      else state.attempt?.end();
      if (options.recordContent && outcome.result)
        state.run.setAttribute(
          'gen_ai.output.messages',
          JSON.stringify([{ role: 'assistant', content: outcome.result.content }]),
        );
      endRun(state.run, outcome);
    },
  };
}
