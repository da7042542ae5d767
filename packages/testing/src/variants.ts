/**
 * A seeded pseudo-random generator (a 32-bit linear congruential one): the same seed gives the same
 * numbers in [0, 1), so that a failing generated case can be replayed.
 *
 * @example
 * ```ts
 * const rand = seededRandom(42);
 * rand(); // the same first number on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Options of {@link variants}. */
export interface VariantOptions {
  /** The fields that may change. */
  fields: readonly string[];
  /** The values a changed field may take (include `undefined` and wrong types to test refusals). */
  values: readonly unknown[];
  /** How many variants. */
  count: number;
  /** Seed of the generator (default 1). */
  seed?: number;
  /** At most this many fields changed per variant, at least one (default 3). */
  maxChanges?: number;
  /** The share of changes that delete the field instead of setting it (default 0.15). */
  deleteShare?: number;
}

/**
 * Variants of a valid input, each with one to `maxChanges` fields set to one of `values` or deleted, for
 * differential tests: a fast path held to a reference (a schema) on many inputs near the valid one.
 *
 * @example
 * ```ts
 * for (const body of variants(() => ({ model: 'm', messages: [] }), { fields: ['model'], values: [1, ''], count: 100 }))
 *   expect(fast(body)).toStrictEqual(schema.parse(body));
 * ```
 */
export function* variants(
  base: () => Record<string, unknown>,
  options: VariantOptions,
): Generator<Record<string, unknown>> {
  const rand = seededRandom(options.seed ?? 1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  for (let i = 0; i < options.count; i++) {
    const input = base();
    const changes = 1 + Math.floor(rand() * (options.maxChanges ?? 3));
    for (let c = 0; c < changes; c++) {
      const field = pick(options.fields);
      if (rand() < (options.deleteShare ?? 0.15)) delete input[field];
      else input[field] = pick(options.values);
    }
    yield input;
  }
}
