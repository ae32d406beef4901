// The rankings behind the tag page and the profile's top tags (pure: the rollups and the per-tag
// reference computation share them).
import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { rankAnswerers, rankAskers, rankingWindow, rankTags, WINDOW, type AnswerFacts, type QuestionFacts } from './post.stats.js';

const id = (n: number) => new Types.ObjectId(n.toString(16).padStart(24, '0'));
const [ada, bob, cy] = [id(0xa), id(0xb), id(0xc)];
const q = (n: number, authorId: Types.ObjectId, score: number, extra: Partial<QuestionFacts> = {}): QuestionFacts => ({
  _id: id(0x100 + n),
  authorId,
  score,
  ...extra,
});

describe('rankAskers', () => {
  it('ranks by total question score, then count, then id', () => {
    const questions = [q(1, ada, 0), q(2, ada, 0), q(3, bob, 2), q(4, cy, 0), q(5, cy, 0)];
    expect(rankAskers(questions, 10)).toEqual([
      { userId: bob.toHexString(), questionCount: 1, score: 2 },
      { userId: ada.toHexString(), questionCount: 2, score: 0 },
      { userId: cy.toHexString(), questionCount: 2, score: 0 },
    ]);
    expect(rankAskers(questions, 1)).toHaveLength(1);
  });

  it('looks at the WINDOW best-scored questions only (ties by id)', () => {
    const many = Array.from({ length: WINDOW + 1 }, (_, i) => q(i, i === WINDOW ? bob : ada, i === WINDOW ? -1 : 0));
    expect(rankingWindow(many)).toHaveLength(WINDOW);
    expect(rankAskers(many, 10).map((a) => a.userId)).toEqual([ada.toHexString()]);
  });
});

describe('rankAnswerers', () => {
  it('ranks by answer score, then accepted answers, then count, over answered questions only', () => {
    const a = (n: number, authorId: Types.ObjectId, score: number): AnswerFacts => ({ _id: id(0x200 + n), authorId, score });
    const answers = new Map([
      [id(0x101).toHexString(), [a(1, bob, 1), a(2, cy, 1)]],
      [id(0x102).toHexString(), [a(3, cy, 0)]],
      // a question counted as unanswered (answerCount 0) is not looked at
      [id(0x103).toHexString(), [a(4, ada, 9)]],
    ]);
    const questions = [
      q(1, ada, 0, { answerCount: 2, acceptedAnswerId: id(0x201) }),
      q(2, ada, 0, { answerCount: 1 }),
      q(3, ada, 0, { answerCount: 0 }),
    ];
    expect(rankAnswerers(questions, (qid) => answers.get(qid.toHexString()) ?? [], 10)).toEqual([
      { userId: bob.toHexString(), answerCount: 1, score: 1, acceptedCount: 1 },
      { userId: cy.toHexString(), answerCount: 2, score: 1, acceptedCount: 0 },
    ]);
  });
});

describe('rankTags', () => {
  it("counts a question for its tags and an answer for its question's, by score, then posts, then name", () => {
    const posts = [
      { type: 'question', tags: ['gpu', 'cuda'], score: 2 },
      { type: 'answer', questionId: id(0x101), score: 1 },
      { type: 'answer', questionId: id(0x999), score: 5 }, // its question is unknown: no tags
    ];
    const tags = rankTags(posts, (qid) => (qid === id(0x101).toHexString() ? ['gpu'] : []), 10);
    expect(tags).toEqual([
      { name: 'gpu', posts: 2, score: 3 },
      { name: 'cuda', posts: 1, score: 2 },
    ]);
    expect(rankTags(posts, () => [], 1)).toEqual([{ name: 'cuda', posts: 1, score: 2 }]);
  });
});
