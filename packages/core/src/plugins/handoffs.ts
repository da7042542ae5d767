/**
 * What plugins hand each other through a run, by key, typed by the package that owns each key through
 * module augmentation (as fastify types its decorators). Core declares no key; each package adds its own:
 *
 * ```ts
 * declare module '@cascadeflow/core' {
 *   interface PluginHandoffs {
 *     limits?: LimitsConfig; // added by @cascadeflow/limits
 *   }
 * }
 * ```
 *
 * A plugin that sets a key it does not own (profiles sets `limits` and `guardrails`) imports the owner's
 * types, so a wrong shape does not compile. The owner still validates what it is handed at run time.
 *
 * @example
 * ```ts
 * await agent.run({ query: 'hi', userId: 'u1', handoffs: { limits: { requestsPerMinute: 5 } } });
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by the other packages
export interface PluginHandoffs {}
