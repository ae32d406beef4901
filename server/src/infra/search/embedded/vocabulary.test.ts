import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDoc, oid } from '../search.conformance.js';
import { EmbeddedStore } from './store.js';
import { IndexVocabulary, MAX_TYPO_EXPANSIONS } from './vocabulary.js';
import { IndexWriter } from './writer.js';

describe('embedded search: the vocabulary the query compiler asks', () => {
  const store = new EmbeddedStore({ dir: ':memory:' });
  const writer = new IndexWriter(store);
  const vocab = new IndexVocabulary(store);

  beforeAll(() => {
    writer.upsert([
      makeDoc({ id: oid(1), title: 'Connection pooling in Postgres', body: 'pooled connections, a pool per process' }),
      makeDoc({ id: oid(2), title: 'Pooling threads', tags: ['Concurrency'], body: 'a pooler for workers' }),
      makeDoc({ id: oid(3), title: 'Removed later', body: 'poolside' }),
    ]);
    writer.remove([oid(3)]);
  });
  afterAll(() => store.close());

  it('expands a prefix of 4+ letters into the words of the vocabulary', () => {
    // (the vocabulary keeps words of removed documents: FTS5 ignores them in a query)
    expect(vocab.prefixWords('pool')).toEqual(['pool', 'pooled', 'pooler', 'pooling', 'poolside']);
    expect(vocab.prefixWords('poole')).toEqual(['poole', 'pooled', 'pooler']);
    // shorter prefixes, or prefixes the vocabulary does not know, are left to FTS5
    expect(vocab.prefixWords('poo')).toBeNull();
    expect(vocab.prefixWords('zebra')).toBeNull();
    expect(vocab.prefixWords('c++x')).toBeNull();
  });

  it('knows the words the index holds, from titles, tags and bodies', () => {
    expect(vocab.knownWord('pooling')).toBe(true);
    expect(vocab.knownWord('concurrency')).toBe(true);
    expect(vocab.knownWord('postgres')).toBe(true);
    expect(vocab.knownWord('poolside')).toBe(false); // only in a removed document
    expect(vocab.knownWord('a')).toBe(true); // too short for the vocabulary: fts5vocab knows it
    expect(vocab.knownWord('missing')).toBe(false);
  });

  it('finds typo corrections the index still holds, closest first', () => {
    expect(vocab.typoCandidates('poolnig', 1)).toEqual(['pooling']);
    expect(vocab.typoCandidates('conection', 1)).toEqual(['connection']);
    expect(vocab.typoCandidates('poolsdie', 2)).toEqual([]); // its document is gone
    expect(vocab.typoCandidates('pooler', 1)).toEqual(['pooled']); // never the word itself
    expect(vocab.typoCandidates('xyzzyq', 2)).toEqual([]);
  });

  it('keeps at most a few corrections, the most common ones', () => {
    const words = ['ab', 'ac', 'ad', 'ae', 'af', 'ag', 'ah', 'ai'].map((s) => `test${s}`);
    writer.upsert(words.map((w, i) => makeDoc({ id: oid(100 + i), title: w })));
    // testah and testai are in two documents, the others in one: the most common come first,
    // then the rest by spelling, up to the cap
    writer.upsert([makeDoc({ id: oid(200), title: 'testai testah' })]);
    const found = vocab.typoCandidates('testaz', 1);
    expect(found).toHaveLength(MAX_TYPO_EXPANSIONS);
    expect(found).toEqual(['testah', 'testai', 'testab', 'testac', 'testad', 'testae']);
  });
});
