import { describe, expect, it } from 'vitest';
import { makeDoc, makeQuery, oid } from '../search.conformance.js';
import type { SearchDocument, SearchQuery } from '../search.port.js';
import { AttributeCache } from './attributes.js';
import { facetCounts, scaleFacets } from './facets.js';
import { TagMarks, comparator, compileFilter } from './filter.js';
import type { AttrRow } from './schema.js';

const day = (n: number) => Date.UTC(2024, 0, 1) + n * 86_400_000;

/** 24 documents, rowid = i + 1, with every attribute varying */
const docs: SearchDocument[] = Array.from({ length: 24 }, (_, i) =>
  makeDoc({
    id: oid(i + 1),
    title: `post ${i}`,
    type: i % 3 === 0 ? 'answer' : 'question',
    space: i % 2 === 0 ? 'north' : 'south',
    authorId: `u${i % 4}`,
    tags: [['a'], ['a', 'b'], ['b'], []][i % 4]!,
    score: (i * 7) % 11,
    answerCount: i % 5,
    isAnswered: i % 2 === 1,
    hasAccepted: i % 4 === 1,
    isAccepted: i % 6 === 0,
    isClosed: i === 5,
    createdAt: day(i),
    lastActivityAt: day(48 - i),
  }),
);

function rowOf(d: SearchDocument, rid: number): AttrRow {
  return [
    rid,
    d.type,
    d.space,
    d.authorId,
    d.score,
    d.answerCount,
    d.isAnswered ? 1 : 0,
    d.hasAccepted ? 1 : 0,
    d.isAccepted ? 1 : 0,
    d.isClosed ? 1 : 0,
    d.createdAt,
    d.lastActivityAt,
  ];
}

function cacheOf(list: SearchDocument[]): AttributeCache {
  const cache = new AttributeCache();
  cache.reset('0', 0);
  list.forEach((d, i) => {
    cache.set(rowOf(d, i + 1));
    cache.setTags(i + 1, d.tags.length > 0 ? d.tags.join(' ') : null);
  });
  return cache;
}

const cache = cacheOf(docs);
const marks = new TagMarks();
const rowidsOfTag = (tag: string) => Int32Array.from(docs.flatMap((d, i) => (d.tags.includes(tag) ? [i + 1] : [])));

/** the rowids a query's filters keep, ascending (null: the filter says nothing can match) */
function kept(q: Partial<SearchQuery>): number[] | null {
  const filter = compileFilter(makeQuery(q), cache, marks, rowidsOfTag);
  if (!filter) return null;
  return docs.map((_, i) => i + 1).filter((rid) => filter.keep(rid));
}

/** the same filters, written out on the documents */
const where = (pred: (d: SearchDocument) => boolean) => docs.flatMap((d, i) => (pred(d) ? [i + 1] : []));

describe('embedded search: filters on the attribute cache', () => {
  it('keeps every present document without filters', () => {
    expect(kept({})).toEqual(where(() => true));
    cache.delete(24);
    expect(kept({})).toEqual(where(() => true).filter((rid) => rid !== 24));
    // back again, as the change log would bring it
    cache.set(rowOf(docs[23]!, 24));
    cache.setTags(24, docs[23]!.tags.join(' ') || null);
    expect(kept({})).toEqual(where(() => true));
  });

  it('checks required and excluded tags (normalised), and hands out the rarest tag as candidates', () => {
    expect(kept({ tags: ['A'] })).toEqual(where((d) => d.tags.includes('a')));
    expect(kept({ tags: ['b', ' a '] })).toEqual(where((d) => d.tags.includes('a') && d.tags.includes('b')));
    expect(kept({ excludedTags: ['b'] })).toEqual(where((d) => !d.tags.includes('b')));
    expect(kept({ tags: ['a'], excludedTags: ['b', 'missing'] })).toEqual(where((d) => d.tags.includes('a') && !d.tags.includes('b')));
    expect(kept({ tags: ['missing'] })).toBeNull();
    // a and b are on 12 documents each, both on 6: the candidates are the rarer tag's documents
    const filter = compileFilter(makeQuery({ tags: ['a', 'b'] }), cache, marks, rowidsOfTag)!;
    expect(filter.candidates?.length).toBe(12);
    expect(compileFilter(makeQuery({}), cache, marks, rowidsOfTag)!.candidates).toBeNull();
  });

  it('checks type, yes/no filters, score, answers, dates, spaces and authors', () => {
    expect(kept({ type: 'answer' })).toEqual(where((d) => d.type === 'answer'));
    expect(kept({ isClosed: true })).toEqual([6]);
    expect(kept({ hasAccepted: true, minScore: 3 })).toEqual(where((d) => d.hasAccepted && d.score >= 3));
    // isaccepted: is about answers, answers:N about questions
    expect(kept({ isAccepted: false })).toEqual(where((d) => d.type === 'answer' && !d.isAccepted));
    expect(kept({ answers: 0 })).toEqual(where((d) => d.type === 'question' && d.answerCount === 0));
    expect(kept({ answers: 3 })).toEqual(where((d) => d.type === 'question' && d.answerCount >= 3));
    expect(kept({ createdFrom: day(3), createdTo: day(7) })).toEqual([4, 5, 6, 7]);
    expect(kept({ spaces: ['north', 'nowhere'], authorIds: ['u2'] })).toEqual(where((d) => d.space === 'north' && d.authorId === 'u2'));
  });

  it('knows when nothing can match', () => {
    expect(kept({ type: 'answer', answers: 1 })).toBeNull();
    expect(kept({ type: 'question', isAccepted: true })).toBeNull();
    expect(kept({ answers: 0, isAccepted: true })).toBeNull();
    expect(kept({ spaces: ['nowhere'] })).toBeNull();
    expect(kept({ authorIds: ['nobody'] })).toBeNull();
  });

  it('reuses its marks across queries without leaking one query into the next', () => {
    const small = new TagMarks();
    for (let i = 0; i < 50; i++) {
      const tags = i % 2 === 0 ? ['a'] : ['b'];
      const filter = compileFilter(makeQuery({ tags }), cache, small, rowidsOfTag)!;
      expect(docs.map((_, k) => k + 1).filter((rid) => filter.keep(rid))).toEqual(where((d) => d.tags.includes(tags[0]!)));
    }
    small.stamp = 0x7fffffff - 1; // about to overflow: the marks start over
    expect(compileFilter(makeQuery({ tags: ['a'] }), cache, small, rowidsOfTag)!.keep(1)).toBe(true);
    expect(small.stamp).toBe(1);
  });

  it('orders by the sorts', () => {
    const ids = where(() => true);
    expect([...ids].sort(comparator('newest', cache)).slice(0, 3)).toEqual([24, 23, 22]);
    expect([...ids].sort(comparator('activity', cache)).slice(0, 3)).toEqual([1, 2, 3]);
    const votes = [...ids].sort(comparator('votes', cache));
    expect(votes.map((rid) => cache.score[rid])).toEqual([...votes.map((rid) => cache.score[rid])].sort((a, b) => b! - a!));
    // ties in score: newest first
    const tens = votes.filter((rid) => cache.score[rid] === 10);
    expect(tens).toEqual([...tens].sort((a, b) => b - a));
  });
});

describe('embedded search: facets from the attribute cache', () => {
  it('counts tags, spaces, types and statuses of the matches', () => {
    const matches = Int32Array.from(where((d) => d.space === 'north'));
    const north = docs.filter((d) => d.space === 'north');
    const facets = facetCounts(cache, matches);
    expect(facets.space).toEqual([{ value: 'north', count: 12 }]);
    expect(facets.tags).toEqual([
      { value: 'a', count: north.filter((d) => d.tags.includes('a')).length },
      { value: 'b', count: north.filter((d) => d.tags.includes('b')).length },
    ]);
    const answers = north.filter((d) => d.type === 'answer').length;
    expect(facets.type).toEqual(
      [
        { value: 'question', count: 12 - answers },
        { value: 'answer', count: answers },
      ].sort((x, y) => y.count - x.count),
    );
    expect(facets.status).toEqual([{ value: 'unanswered', count: 12 }]);
  });

  it('keeps the 20 most frequent values, ties by value', () => {
    const many = cacheOf(
      Array.from({ length: 30 }, (_, i) => makeDoc({ id: oid(i + 1), title: 't', tags: [`t${String(i).padStart(2, '0')}`, 'all'] })),
    );
    const facets = facetCounts(
      many,
      Int32Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(facets.tags).toHaveLength(20);
    expect(facets.tags[0]).toEqual({ value: 'all', count: 30 });
    expect(facets.tags.slice(1).map((t) => t.value)).toEqual(Array.from({ length: 19 }, (_, i) => `t${String(i).padStart(2, '0')}`));
  });

  it('picks the most frequent values among many of different counts', () => {
    // tag kNN is on NN documents: the top 20 are k25 … k06
    const list: SearchDocument[] = [];
    for (let k = 1; k <= 25; k++) {
      for (let i = 0; i < k; i++) list.push(makeDoc({ id: oid(list.length + 1), title: 't', tags: [`k${String(k).padStart(2, '0')}`] }));
    }
    const facets = facetCounts(
      cacheOf(list),
      Int32Array.from(list, (_, i) => i + 1),
    );
    expect(facets.tags).toEqual(Array.from({ length: 20 }, (_, i) => ({ value: `k${String(25 - i).padStart(2, '0')}`, count: 25 - i })));
  });

  it('scales the facets of a sample to estimates', () => {
    const sampled = {
      tags: [{ value: 'a', count: 3 }],
      space: [{ value: 'x', count: 1 }],
      type: [],
      status: [{ value: 'closed', count: 0 }],
    };
    expect(scaleFacets(sampled, 0.1)).toEqual({
      tags: [{ value: 'a', count: 30 }],
      space: [{ value: 'x', count: 10 }],
      type: [],
      status: [{ value: 'closed', count: 1 }],
    });
  });
});
