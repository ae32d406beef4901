import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { expertisePoints, matchPeople, parsePeopleQuery, rankSpaceExperts } from './analytics.experts.js';
import { aboutTerms, normalizeTerm, personTerms } from './analytics.people.js';

const id = (n: number) => new Types.ObjectId(n.toString(16).padStart(24, '0'));

describe('rankSpaceExperts', () => {
  it('ranks by expertise points, then accepted and verified answers, then score, then id', () => {
    const [ada, ben, cy] = [id(1), id(2), id(3)];
    const answers = [
      { _id: id(11), authorId: ada, score: 2 },
      { _id: id(12), authorId: ada, score: -5 },
      { _id: id(13), authorId: ben, score: 0 },
      { _id: id(14), authorId: cy, score: 3 },
    ];
    const ranked = rankSpaceExperts(answers, new Set([id(13).toHexString()]), new Set([id(13).toHexString()]));
    // ben: 1 answer, accepted and verified = 7; cy: 1 + 3 = 4; ada: 2 answers, score -3 (floored at 0) = 2
    expect(ranked.map((e) => [e.userId, expertisePoints(e)])).toEqual([
      [ben.toHexString(), 7],
      [cy.toHexString(), 4],
      [ada.toHexString(), 2],
    ]);
    expect(ranked[2]).toMatchObject({ answerCount: 2, score: -3, acceptedCount: 0, verifiedCount: 0 });
    expect(rankSpaceExperts(answers, new Set(), new Set(), 1)).toHaveLength(1);
  });
});

describe('people finder terms', () => {
  it('normalizes words and drops stop words, numbers and punctuation', () => {
    expect(normalizeTerm(' PostgreSQL ')).toBe('postgresql');
    expect(normalizeTerm('replication.')).toBe('replication');
    expect(normalizeTerm('c++')).toBe('c++');
    expect(normalizeTerm('the')).toBeNull();
    expect(normalizeTerm('2024')).toBeNull();
    expect(normalizeTerm('***')).toBeNull();
  });

  it('indexes profile skills and the about text’s words, without link targets', () => {
    expect(aboutTerms('I tune **Kafka** consumers, see [my blog](https://example.com/kafka-tips).')).toEqual([
      'tune',
      'kafka',
      'consumers',
      'see',
      'blog',
    ]);
    // "on" is a stop word, "z" too short
    expect(personTerms({ expertiseTags: ['db2', 'db2'], bio: 'DB2 on z/OS' }).sort()).toEqual(['s:db2', 'w:db2', 'w:os']);
  });

  it('parses 1 to 5 words; brackets name a tag', () => {
    expect(parsePeopleQuery('[PostgreSQL] replication, kafka')).toEqual(['postgresql', 'replication', 'kafka']);
    expect(() => parsePeopleQuery('  the  ')).toThrow(/name a skill/);
    expect(() => parsePeopleQuery('alpha beta gamma delta epsilon zeta')).toThrow(/at most 5/);
  });
});

describe('matchPeople', () => {
  const declared = new Map([['kafka', new Set(['u1'])]]);
  const mentioned = new Map([
    ['kafka', new Set(['u2'])],
    ['streams', new Set(['u1', 'u2'])],
  ]);
  const stats = new Map([['kafka', { answerers: [{ userId: 'u3', answerCount: 2, score: 5, acceptedCount: 1 }] }]]);

  it('scores profile skills 10, about words 2 and answers by expertise points', () => {
    const found = matchPeople(['kafka'], declared, mentioned, stats, 10);
    // u3: 3 × 1 accepted + 2 answers + score 5 = 10, tied with u1 (profile skill): by id
    expect(found.map((m) => [m.userId, m.points])).toEqual([
      ['u1', 10],
      ['u3', 10],
      ['u2', 2],
    ]);
    expect(found[1]!.tags).toEqual([{ name: 'kafka', answerCount: 2, acceptedCount: 1, score: 5 }]);
  });

  it('keeps only members matching every word', () => {
    const found = matchPeople(['kafka', 'streams'], declared, mentioned, stats, 10);
    expect(found.map((m) => [m.userId, m.points, m.declared, m.mentioned])).toEqual([
      ['u1', 12, ['kafka'], ['streams']],
      ['u2', 4, [], ['kafka', 'streams']],
    ]);
    expect(matchPeople(['kafka', 'cobol'], declared, mentioned, stats, 10)).toEqual([]);
  });
});
