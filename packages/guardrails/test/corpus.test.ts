import { describe, expect, it } from 'vitest';
import { corpus } from '../bench/corpus.js';
import { type PiiType, scanPii } from '../src/index.js';

describe('labelled corpus', () => {
  it('every type has precision and recall of at least 0.95', () => {
    const stats = new Map<PiiType, { tp: number; fp: number; fn: number }>();
    const at = (t: PiiType) => {
      if (!stats.has(t)) stats.set(t, { tp: 0, fp: 0, fn: 0 });
      return stats.get(t)!;
    };
    for (const { text, labels } of corpus(800, 7)) {
      const found = scanPii(text);
      const left = [...labels];
      for (const f of found) {
        const i = left.findIndex((l) => l.type === f.type && l.value === f.value);
        if (i >= 0) {
          at(f.type).tp++;
          left.splice(i, 1);
        } else at(f.type).fp++;
      }
      for (const l of left) at(l.type).fn++;
    }
    for (const [type, s] of stats) {
      const precision = s.tp / Math.max(1, s.tp + s.fp);
      const recall = s.tp / Math.max(1, s.tp + s.fn);
      expect({ type, precision: precision >= 0.95, recall: recall >= 0.95 }).toEqual({
        type,
        precision: true,
        recall: true,
      });
    }
  });
});
