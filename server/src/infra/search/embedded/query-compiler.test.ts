import { describe, expect, it } from 'vitest';
import { makeQuery } from '../search.conformance.js';
import { MAX_PHRASES, MAX_TERMS, compileTextQuery, relevanceTagParts, sidesOf, type Vocabulary } from './query-compiler.js';
import { asciiTokens } from './tokens.js';

/** A vocabulary from a word list, recording what the compiler asked. */
function listVocabulary(words: string[], typos: Record<string, string[]> = {}) {
  const asked: string[] = [];
  const vocab: Vocabulary = {
    prefixWords(prefix) {
      asked.push(`prefix ${prefix}`);
      const found = words.filter((w) => w.startsWith(prefix)).sort();
      return found.length > 0 ? found : null;
    },
    knownWord(word) {
      asked.push(`known ${word}`);
      return words.includes(word);
    },
    typoCandidates(word, maxTypos) {
      asked.push(`typos ${word} ${maxTypos}`);
      return typos[word] ?? [];
    },
  };
  return { vocab, asked };
}

/** ASCII-only test input: JavaScript tokenizes it exactly */
const tokens = (texts: readonly string[]) => texts.map(asciiTokens);

const compile = (q: Parameters<typeof compileTextQuery>[0], vocab: Vocabulary = listVocabulary([]).vocab) =>
  compileTextQuery(q, vocab, tokens);

describe('embedded search: query compiler', () => {
  it('has nothing to match without words', () => {
    expect(compile({ terms: [], phrases: [] })).toBeNull();
    expect(compile({ terms: ['--', '*'], phrases: ['  ', '"'] })).toBeNull();
  });

  it('ANDs the terms; the last one also matches as a prefix (2+ characters)', () => {
    expect(compile({ terms: ['webpack', 'config'], phrases: [] })).toEqual({
      expr: '"webpack" AND "config"*',
      termParts: ['"webpack"', '"config"*'],
      pairParts: [],
    });
    expect(compile({ terms: ['webpack', 'c'], phrases: [] })?.expr).toBe('"webpack" AND "c"');
    // a term FTS5 splits into several tokens is a phrase, prefix on its last token
    expect(compile({ terms: ['node.js'], phrases: [] })?.expr).toBe('"node.js"*');
  });

  it('expands a prefix into the index words it stands for', () => {
    const { vocab, asked } = listVocabulary(['pool', 'pooled', 'pooling']);
    expect(compile({ terms: ['connection', 'pool'], phrases: [] }, vocab)?.expr).toBe('"connection" AND ("pool" OR "pooled" OR "pooling")');
    expect(asked).toContain('prefix pool');
    expect(asked).not.toContain('prefix connection');
    // no expansion known: FTS5 expands the prefix itself
    expect(compile({ terms: ['zebr'], phrases: [] }, vocab)?.expr).toBe('"zebr"*');
  });

  it('adds typo corrections for unknown words long enough to carry typos', () => {
    const { vocab, asked } = listVocabulary(['pooling', 'webpack'], { poolnig: ['pooling'], confgiuraton: ['configuration'] });
    expect(compile({ terms: ['poolnig', 'webpack'], phrases: [] }, vocab)?.expr).toBe('("poolnig" OR "pooling") AND "webpack"');
    expect(asked).toContain('typos poolnig 1');
    // a known word gets no alternatives, a short one is not even looked up
    expect(asked).not.toContain('typos webpack 1');
    asked.length = 0;
    expect(compile({ terms: ['taks', 'confgiuraton', 'x'], phrases: [] }, vocab)?.expr).toBe(
      '"taks" AND ("confgiuraton" OR "configuration") AND "x"',
    );
    expect(asked).toEqual(['known confgiuraton', 'typos confgiuraton 2']);
  });

  it('matches phrases of two or more words as word pairs, one-word phrases as words', () => {
    expect(compile({ terms: ['pool'], phrases: ['Connection pooling', 'node.js', 'single'] })).toEqual({
      expr: '"Connection pooling" AND "node.js" AND "single" AND "pool"*',
      termParts: ['"single"', '"pool"*'],
      pairParts: ['"connection_pooling"', '"node_js"'],
    });
  });

  it('keeps FTS5 syntax in user input quoted', () => {
    const text = compile({ terms: ['NEAR', 'a"b', 'col:x'], phrases: ['say "hi" OR'] });
    expect(text?.expr).toBe('"say ""hi"" OR" AND "NEAR" AND "a""b" AND "col:x"*');
    expect(text?.pairParts).toEqual(['"say_hi hi_or"']);
  });

  it('caps the number of terms and phrases', () => {
    const terms = Array.from({ length: MAX_TERMS + 5 }, (_, i) => `w${i}`);
    const phrases = Array.from({ length: MAX_PHRASES + 3 }, (_, i) => `p${i} q${i}`);
    const text = compile({ terms, phrases })!;
    expect(text.termParts).toHaveLength(MAX_TERMS);
    expect(text.pairParts).toHaveLength(MAX_PHRASES);
    // the last kept term is the one matched as a prefix
    expect(text.termParts[MAX_TERMS - 1]).toBe(`"w${MAX_TERMS - 1}"*`);
  });

  it('makes one side per table, the pairs first; required tags narrow the words for relevance', () => {
    const text = compile({ terms: ['webpack'], phrases: ['module not found'] })!;
    const tagParts = relevanceTagParts(makeQuery({ sort: 'relevance', tags: [' TypeScript ', 'typescript', 'c++', '--'] }), text);
    expect(tagParts).toEqual(['{tags} : "typescript"', '{tags} : "c++"']);
    expect(relevanceTagParts(makeQuery({ sort: 'newest', tags: ['typescript'] }), text)).toEqual([]);
    const sides = sidesOf(text, tagParts);
    expect(sides.map((s) => [s.table, s.expr, s.titleTable, s.titleExpr, s.parts])).toEqual([
      ['fts_pairs', '"module_not not_found"', 'fts_title_pairs', '"module_not not_found"', 1],
      ['fts', '"webpack"* AND {tags} : "typescript" AND {tags} : "c++"', 'fts_title', '"webpack"*', 1],
    ]);
    // phrases only: one side, and no tag parts (they would narrow nothing FTS5 is asked)
    const phraseOnly = compile({ terms: [], phrases: ['module not found'] })!;
    expect(relevanceTagParts(makeQuery({ tags: ['typescript'] }), phraseOnly)).toEqual([]);
    expect(sidesOf(phraseOnly, []).map((s) => s.table)).toEqual(['fts_pairs']);
  });
});
