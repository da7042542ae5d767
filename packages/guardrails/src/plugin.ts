import {
  type CascadePlugin,
  type CascadeResult,
  type ChatMessage,
  type DocumentInput,
  documentData,
  type QualityValidator,
  questionIn,
  type ResolvedRequest,
} from '@cascadeflow/core';
import { GuardrailBlockedError } from './errors.js';
import { GuardrailEmitter, type GuardrailEvents } from './events.js';
import {
  MODERATION_CATEGORIES,
  type ModerationCategory,
  type ModerationResult,
  type Moderator,
} from './moderation/categories.js';
import { LocalModerator } from './moderation/local.js';
import { applyPolicy, type PiiFinding, PiiVault } from './pii/policy.js';
import { scanPii } from './pii/scan.js';
import { ScanCache } from './pii/scan-cache.js';
import { StreamRedactor } from './pii/stream-redactor.js';
import { deeplyFrozen, type GuardrailSettings, type ResolvedSettings, resolveSettings } from './settings.js';
import { TextCache } from './text-cache.js';

/** Options of {@link guardrailsPlugin}. */
export interface GuardrailsPluginOptions {
  /**
   * Settings for every run (resolved once, when the plugin is created: do not change the object afterwards),
   * or a function of the request, called on every run. A run's `handoffs.guardrails` (from profiles) wins; handed settings that are frozen all the
   * way down are resolved once.
   */
  settings?: GuardrailSettings | ((request: ResolvedRequest) => GuardrailSettings);
  /** The moderation classifier (e.g. `OpenAIModerator`); the local one answers when it is absent or fails. */
  moderator?: Moderator;
  name?: string;
}

interface State {
  vault: PiiVault;
  findings: PiiFinding[];
  /** Each moderation of the run, with the categories that crossed their threshold. */
  moderation: { where: 'input' | 'output'; flagged: boolean; source: string; hit: ModerationCategory[] }[];
  settings?: ResolvedSettings;
}

/** Every category, not flagged: a verdict starts from a copy. */
const NOT_FLAGGED = Object.freeze(
  Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, false])) as Record<ModerationCategory, boolean>,
);

/** The guardrails plugin, with its events and a validator that makes a bad draft escalate. */
export interface GuardrailsPlugin extends CascadePlugin<State> {
  on<K extends keyof GuardrailEvents>(type: K, listener: (event: GuardrailEvents[K]) => void): () => void;
  /** Moderates a text with the configured classifier, falling back to the local one. */
  moderate(text: string, signal?: AbortSignal): Promise<ModerationResult>;
  /**
   * A validator that scores 0 a draft the output guardrails would block, so that the cascade escalates it
   * to the next tier instead of failing the request. Add it to the agent's validators.
   */
  validator(): QualityValidator;
}

const local = new LocalModerator();

/** The answer as the guardrails leave it, with what they found in its metadata. */
/**
 * The documents with each text file's text cleaned (`clean` redacts, or throws to block); the same array when
 * nothing changed. A PDF is passed on as it is, and `unscanned` is told of it.
 */
function cleanDocuments(
  documents: DocumentInput[],
  clean: (text: string) => string,
  unscanned: (filename: string | undefined) => void,
): DocumentInput[] {
  let changed = false;
  const out = documents.map((d) => {
    const data = documentData(d);
    if (data?.mediaType !== 'text/plain') {
      unscanned(d.filename);
      return d;
    }
    const cleaned = clean(data.text);
    if (cleaned === data.text) return d;
    changed = true;
    return Object.assign({}, d, {
      url: `data:text/plain;base64,${Buffer.from(cleaned, 'utf8').toString('base64')}`,
    });
  });
  return changed ? out : documents;
}

/** The text of a message's text files (PDFs left out). */
function textOfDocuments(documents: DocumentInput[] | undefined): string[] {
  if (!documents?.length) return [];
  return documents.flatMap((d) => {
    const data = documentData(d);
    return data?.mediaType === 'text/plain' ? [data.text] : [];
  });
}

function withGuardrails(
  result: CascadeResult,
  content: string,
  toolCalls: CascadeResult['toolCalls'],
  state: State,
): CascadeResult {
  return Object.assign({}, result, {
    content,
    toolCalls,
    metadata: Object.assign({}, result.metadata, {
      guardrails: {
        pii: state.findings.map(({ type, kind, action }) => ({ type, ...(kind ? { kind } : {}), action })),
        moderation: state.moderation.map(({ where, flagged, source, hit }) => ({
          where,
          flagged,
          source,
          categories: hit,
        })),
      },
    }),
  });
}

/**
 * Content moderation and PII detection in the request path: on the input before the run (block, redact,
 * mask or reversible placeholders), on streamed output through its text transform (redacting across chunk
 * boundaries), and on the answer and tool-call arguments after the run (placeholders restored, with one
 * vault per request).
 *
 * @example
 * ```ts
 * const guardrails = guardrailsPlugin({ moderator: new OpenAIModerator(), settings: { pii: { input: { email: 'reversible', card: 'block' } } } });
 * const agent = new CascadeAgent({ providers, ladder, plugins: [guardrails], validators: [...defaultValidators(), guardrails.validator()] });
 * ```
 */
export function guardrailsPlugin(options: GuardrailsPluginOptions = {}): GuardrailsPlugin {
  const events = new GuardrailEmitter();

  // Settings given once (the plugin's own, or frozen ones handed over: the profiles plugin hands each
  // profile's) are resolved once; a function's, or unfrozen handed ones, on every run.
  const fixed = typeof options.settings === 'function' ? null : resolveSettings(options.settings);
  const resolvedHandoffs = new WeakMap<object, ResolvedSettings>();
  // Input scans by scan settings (one set per profile tier: settings objects are resolved once and kept).
  const scanCaches = new WeakMap<ResolvedSettings['scan'], ScanCache>();
  const scansFor = (scan: ResolvedSettings['scan']): ScanCache => {
    let cache = scanCaches.get(scan);
    if (!cache) {
      cache = new ScanCache(scan);
      scanCaches.set(scan, cache);
    }
    return cache;
  };

  const settingsOf = (request: ResolvedRequest): ResolvedSettings => {
    const handed = request.handoffs.guardrails;
    if (handed) {
      // An object found deeply frozen once stays so: the walk runs the first time only.
      const known = resolvedHandoffs.get(handed);
      if (known) return known;
      if (!deeplyFrozen(handed)) return resolveSettings(handed);
      const resolved = resolveSettings(handed);
      resolvedHandoffs.set(handed, resolved);
      return resolved;
    }
    return fixed ?? resolveSettings((options.settings as (r: ResolvedRequest) => GuardrailSettings)(request));
  };

  const moderateLocally = (text: string): ModerationResult => ({
    flagged: false,
    categories: {},
    scores: local.moderateSync(text),
    source: 'local',
  });

  const moderate = async (text: string, signal?: AbortSignal): Promise<ModerationResult> => {
    if (!options.moderator) return moderateLocally(text);
    try {
      const scores = await options.moderator.moderate(text, signal);
      return { flagged: false, categories: {}, scores, source: options.moderator.name };
    } catch (error) {
      if (signal?.aborted) throw error;
      events.emit('moderation:fallback', {
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return moderateLocally(text);
    }
  };

  const judge = (m: ModerationResult, s: ResolvedSettings): ModerationCategory[] => {
    const hit: ModerationCategory[] = [];
    const categories: Record<ModerationCategory, boolean> = { ...NOT_FLAGGED };
    for (const c of MODERATION_CATEGORIES) {
      if ((m.scores[c] ?? 0) >= (s.thresholds[c] ?? 0.5)) {
        categories[c] = true;
        hit.push(c);
      }
    }
    m.categories = categories;
    m.flagged = hit.length > 0;
    return hit;
  };

  /** Moderates `text` and applies the verdict; synchronous (no promise) with the local moderator. */
  // The moderation of long input texts, by text: an agent's user messages come back on every turn, and an
  // external moderator would be asked about them again each time. A fallback verdict (the moderator failed)
  // is not kept, so the moderator is asked again next time.
  const inputVerdicts = new TextCache<ModerationResult>();
  const moderateOrBlock = (
    text: string,
    where: 'input' | 'output',
    s: ResolvedSettings,
    state: State,
    runId: string,
    signal: AbortSignal,
  ): Promise<void> | undefined => {
    const kept = where === 'input' ? inputVerdicts.get(text) : undefined;
    if (kept) {
      applyVerdict(kept, where, s, state, runId);
      return undefined;
    }
    const moderator = options.moderator;
    if (!moderator) {
      const m = moderateLocally(text);
      if (where === 'input') inputVerdicts.set(text, m);
      applyVerdict(m, where, s, state, runId);
      return undefined;
    }
    return moderate(text, signal).then((m) => {
      if (where === 'input' && m.source === moderator.name) inputVerdicts.set(text, m);
      applyVerdict(m, where, s, state, runId);
    });
  };

  const applyVerdict = (
    m: ModerationResult,
    where: 'input' | 'output',
    s: ResolvedSettings,
    state: State,
    runId: string,
  ): void => {
    const hit = judge(m, s);
    state.moderation.push({ where, flagged: m.flagged, source: m.source, hit });
    if (hit.length === 0) return;
    events.emit('moderation:flagged', {
      where,
      categories: hit,
      action: s.moderationAction,
      source: m.source,
      runId,
    });
    if (s.moderationAction === 'block') {
      const worst = hit.reduce((a, b) => ((m.scores[a] ?? 0) >= (m.scores[b] ?? 0) ? a : b));
      throw new GuardrailBlockedError({ where, rule: worst, score: m.scores[worst] ?? 0 });
    }
  };

  const cleanOutput = (
    text: string,
    s: ResolvedSettings,
    state: State,
    where: 'output' | 'tool_call',
    runId: string,
  ): string => {
    if (s.outputApplied === false) return state.vault.restore(text);
    const out = applyPolicy(text, scanPii(text, s.scan), s.outputApplied, state.vault);
    if (out.findings.length) {
      state.findings.push(...out.findings);
      events.emit('pii:found', { where, findings: out.findings, runId });
    }
    if (out.blocked.length)
      throw new GuardrailBlockedError({
        where: 'output',
        rule: out.blocked[0]!.type,
        ...(out.blocked[0]!.kind ? { kind: out.blocked[0]!.kind } : {}),
      });
    return state.vault.restore(out.text);
  };

  return {
    name: options.name ?? 'guardrails',
    on: (type, listener) => events.on(type, listener),
    moderate,
    createState: () => ({ vault: new PiiVault(), findings: [], moderation: [] }),

    // Synchronous unless a moderator is configured: a hook that returns no promise costs the run no hop.
    beforeRun({ request, state, context }) {
      const s = settingsOf(request);
      state.settings = s;
      let messages: ChatMessage[] = request.messages;
      if (s.input !== false) {
        const policy = s.input;
        const clean = (text: string): string => {
          const out = applyPolicy(text, scansFor(s.scan).scan(text), policy, state.vault);
          if (out.findings.length) {
            state.findings.push(...out.findings);
            events.emit('pii:found', { where: 'input', findings: out.findings, runId: context.runId });
          }
          if (out.blocked.length) {
            throw new GuardrailBlockedError({
              where: 'input',
              rule: out.blocked[0]!.type,
              ...(out.blocked[0]!.kind ? { kind: out.blocked[0]!.kind } : {}),
            });
          }
          return out.text;
        };
        const scanned = request.messages.map((m) => {
          const content = m.content ? clean(m.content) : m.content;
          const documents =
            (m.role === 'user' || m.role === 'tool') && m.documents?.length
              ? cleanDocuments(m.documents, clean, (filename) =>
                  events.emit(
                    'document:unscanned',
                    Object.assign(
                      { where: 'input' as const, runId: context.runId },
                      filename ? { filename } : {},
                    ),
                  ),
                )
              : undefined;
          if (
            content === m.content &&
            (documents === undefined || documents === (m as { documents?: unknown }).documents)
          )
            return m;
          return Object.assign({}, m, { content }, documents ? { documents } : {}) as ChatMessage;
        });
        // The request is replaced only when a message changed.
        if (scanned.some((m, i) => m !== request.messages[i])) messages = scanned;
      }
      const redacted = (): ResolvedRequest | undefined => {
        if (messages === request.messages) return undefined;
        return Object.assign({}, request, {
          messages,
          // The question of the redacted conversation, as core takes it (context blocks left out).
          query: questionIn(messages),
        });
      };
      if (s.moderateInput) {
        // A user's text files are moderated with what the user wrote.
        const userText = messages
          .filter((m) => m.role === 'user')
          .flatMap((m) => [m.content, ...(m.role === 'user' ? textOfDocuments(m.documents) : [])])
          .join('\n');
        const pending = moderateOrBlock(userText, 'input', s, state, context.runId, context.signal);
        if (pending) return pending.then(redacted);
      }
      return redacted();
    },

    // Streamed output: redacts text across chunk boundaries on its way to the caller. The engine still scores
    // the provider's own text and keeps every log-prob, tool call and usage figure.
    transformText({ state, request }) {
      const s = state.settings ?? settingsOf(request);
      if (s.output === false && state.vault.size === 0) return undefined;
      const redactor = new StreamRedactor(s.outputApplied || {}, state.vault, s.scan, true);
      const throwIfBlocked = (): void => {
        if (redactor.blocked)
          throw new GuardrailBlockedError({
            where: 'output',
            rule: redactor.blocked.type,
            ...(redactor.blocked.kind ? { kind: redactor.blocked.kind } : {}),
          });
      };
      return {
        push(text) {
          const out = redactor.push(text);
          throwIfBlocked();
          return out;
        },
        flush() {
          const out = redactor.flush();
          throwIfBlocked();
          return out;
        },
      };
    },

    afterRun({ result, state, context, request }) {
      const s = state.settings ?? settingsOf(request);
      const content = cleanOutput(result.content, s, state, 'output', context.runId);
      const toolCalls = result.toolCalls.map((c) =>
        Object.assign({}, c, { arguments: cleanOutput(c.arguments, s, state, 'tool_call', context.runId) }),
      );
      const finished = (): CascadeResult => withGuardrails(result, content, toolCalls, state);
      if (s.moderateOutput && content.trim() !== '') {
        const pending = moderateOrBlock(content, 'output', s, state, context.runId, context.signal);
        if (pending) return pending.then(finished);
      }
      return finished();
    },

    validator(): QualityValidator {
      // Per-request settings are not known to a validator: it applies the plugin's own, or the defaults.
      const base = fixed ?? resolveSettings({});
      return {
        name: 'guardrails',
        async validate(ctx) {
          const reasons: string[] = [];
          const found = applyPolicy(
            ctx.response.content,
            scanPii(ctx.response.content),
            base.outputApplied || {},
            new PiiVault(),
          );
          for (const b of found.blocked)
            reasons.push(`would be blocked: ${b.type}${b.kind ? ` (${b.kind})` : ''}`);
          const m = await moderate(ctx.response.content, ctx.signal);
          const hit = judge(m, base);
          for (const c of hit) reasons.push(`moderation: ${c} ${(m.scores[c] ?? 0).toFixed(2)}`);
          return reasons.length ? { score: 0, reasons } : null;
        },
      };
    },
  };
}
