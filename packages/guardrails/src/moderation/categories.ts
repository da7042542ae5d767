/**
 * The categories of OpenAI's `omni-moderation-latest` (platform.openai.com/docs/guides/moderation).
 *
 * @example
 * ```ts
 * const thresholds = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, 0.7]));
 * ```
 */
export const MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;

export type ModerationCategory = (typeof MODERATION_CATEGORIES)[number];

/** Scores in [0, 1] by category, and which categories crossed their threshold. */
export interface ModerationResult {
  flagged: boolean;
  categories: Partial<Record<ModerationCategory, boolean>>;
  scores: Partial<Record<ModerationCategory, number>>;
  /** Which classifier answered: the moderator's `name` (`openai`, `model:llama-guard3`), or `local` (none, or it failed). */
  source: string;
}

/** Something that scores text. */
export interface Moderator {
  readonly name: string;
  moderate(text: string, signal?: AbortSignal): Promise<Partial<Record<ModerationCategory, number>>>;
}
