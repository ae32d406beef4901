import { describe, expect, it } from 'vitest';
import { allowedTypos, deletionKeys, typoDistance } from './typo.js';

describe('embedded search: typo tolerance', () => {
  it('computes Damerau–Levenshtein distance with transpositions', () => {
    expect(typoDistance('pooling', 'poolnig', 2)).toBe(1);
    expect(typoDistance('fault', 'fualt', 2)).toBe(1);
    expect(typoDistance('configuration', 'confgiuraton', 2)).toBe(2);
    expect(typoDistance('abc', 'xyz', 1)).toBe(2);
    expect(typoDistance('same', 'same', 1)).toBe(0);
  });

  it('deletion keys of words within the distance intersect', () => {
    const pairs: Array<[string, string, number]> = [
      ['pooling', 'poolnig', 1],
      ['segmentation', 'segmnetaton', 2],
      ['configuration', 'confgiuraton', 2],
      ['javascript', 'jvascript', 1],
      ['typescript', 'tpyescript', 1],
      ['closures', 'xlosures', 1],
    ];
    for (const [a, b, d] of pairs) {
      const keys = new Set(deletionKeys(a, d));
      expect(deletionKeys(b, d).some((k) => keys.has(k))).toBe(true);
    }
  });

  it('allows typos by word length', () => {
    expect(allowedTypos('taks')).toBe(0);
    expect(allowedTypos('fualt')).toBe(1);
    expect(allowedTypos('closrues')).toBe(2);
    expect(allowedTypos('c++')).toBe(0);
    expect(allowedTypos('12345')).toBe(0);
  });

  it('keeps deletion neighbourhoods of a word prefix, within the deletions allowed', () => {
    // only the first 6 characters count: words differing after them share every key
    expect(deletionKeys('configuration', 1)).toEqual(deletionKeys('configurable', 1));
    const one = deletionKeys('abc', 1);
    expect(one.sort()).toEqual(['ab', 'abc', 'ac', 'bc']);
    // a single character is never deleted down to nothing
    expect(deletionKeys('a', 2)).toEqual(['a']);
    // two deletions include one deletion
    expect(deletionKeys('pooling', 2)).toEqual(expect.arrayContaining(deletionKeys('pooling', 1)));
    // words further apart than the deletions allow share no key
    const pooling = new Set(deletionKeys('pooling', 1));
    expect(deletionKeys('zebras', 1).some((k) => pooling.has(k))).toBe(false);
  });

  it('gives up above the maximum distance', () => {
    expect(typoDistance('kitten', 'sitting', 3)).toBe(3);
    expect(typoDistance('kitten', 'sitting', 2)).toBe(3);
    expect(typoDistance('a', 'abcdef', 2)).toBe(3);
    // characters, not UTF-16 units
    expect(typoDistance('日本語', '日本', 1)).toBe(1);
  });
});
