import { describe, expect, it } from 'vitest';
import { corpus } from '../bench/corpus.js';
import { fakerCorpus, score } from '../bench/faker-corpus.js';

describe('templated corpus', () => {
  it('every type keeps its precision and recall above a floor', () => {
    for (const [type, s] of score(corpus(800, 7))) {
      const precision = s.tp / Math.max(1, s.tp + s.fp);
      const recall = s.tp / Math.max(1, s.tp + s.fn);
      // Floors below the figures measured in the bench. "code 407-967-1982" is a US phone number to any
      // pattern, so phone precision is the lowest.
      expect(precision, `${type} precision`).toBeGreaterThanOrEqual(type === 'phone' ? 0.75 : 0.95);
      expect(recall, `${type} recall`).toBeGreaterThanOrEqual(0.95);
    }
  });
});

describe('faker corpus (15 locales), test half', () => {
  it('every supported type keeps precision 0.98 and recall 0.95', () => {
    for (const [type, s] of score(fakerCorpus('test', 1500))) {
      const precision = s.tp / Math.max(1, s.tp + s.fp);
      const recall = s.tp / Math.max(1, s.tp + s.fn);
      expect(precision, `${type} precision`).toBeGreaterThanOrEqual(0.98);
      expect(recall, `${type} recall`).toBeGreaterThanOrEqual(0.95);
    }
  });
});
